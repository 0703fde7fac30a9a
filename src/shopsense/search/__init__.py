"""Personalised hybrid product search for Chinese and English (docs/search.md).

Query understanding (``text``, ``constraints``, ``spelling``, ``synonyms``, ``intent``, ``query``),
retrieval (``lexical``, ``dense``, ``index``), ranking (``features``, ``ranker``, ``engine``), the shop
layer (``filters``, ``facts``, ``personalize``, ``shop``, ``suggest``), the live service over the
database (``store``, ``live``, ``learn``) and the benchmark (``metrics``, ``benchmark``).
"""
