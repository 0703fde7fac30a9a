"""Real-time recommendation serving (issue 6).

Per request (``pipeline.Pipeline``): the user's newest events are read from the store, every recall
source proposes candidates (``sources``), they are fused by weighted reciprocal rank (``rank``), business
rules filter and boost them (``rules``), MMR diversifies (``diversity``), each item gets a reason a shopper
can read (``explain``), and the list is logged as impressions under a ``recomm_id`` (``impressions``).
Models, the catalogue's flags and the scenario rules live in memory in one immutable ``runtime.Snapshot``
that is replaced whole (atomically) when a new model version is activated.
"""
