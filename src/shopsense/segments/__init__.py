"""Marketing segments: rules over profile fields and model scores, saved, counted and exported.

* ``rules`` — the JSON rule language (grammar, operators, semantics) and its validation;
* ``fields`` — the profile fields rules may address, with their types;
* ``evaluate`` — rule evaluation: a reference interpreter and a compiled fast path;
* ``audience`` — saved segments, live counts, pages and target-list export;
* ``features``, ``propensity``, ``scoring`` — model-based audiences: purchase propensity (overall and
  per category) and churn risk within N days, written into each profile as ``scores.*``.
"""
