"""User profiles ("user portraits"): one document per user, kept current as events arrive.

Layout, from events to documents:

* ``enrich``: per-event derived columns (session, weight, category, price band, amount, sentiment);
* ``state``: per-user sufficient statistics, computed in batch (``summarise``) and merged incrementally
  (``merge``) in any order with the same result;
* ``render`` (+ ``rfm``, ``tags``, ``transitions``, ``sentiment``): the presentable fields, derived from a
  state and the active profile ``model`` (RFM cuts, price quartiles, transitions, reference time);
* ``incremental``: the ingestion hook; ``rebuild``: the batch job; ``documents``: the stored document and
  reads; ``export``: JSON Lines / CSV / Parquet.

The document contract and every field's rule are in ``docs/profile-schema.md``.
"""
