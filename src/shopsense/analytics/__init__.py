"""Behaviour analytics: funnels, cohorts, repeat purchase, RFM, clusters, popularity, co-purchase, activity.

The event log and the catalogue are read from the store once per report (:mod:`.frame`), held in an
in-memory DuckDB database, and every analysis is SQL over it (:mod:`.registry` names them all);
:mod:`.report` writes the HTML report with its figures and the JSON of every figure.
"""
