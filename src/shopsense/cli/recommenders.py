"""Recommender benchmark commands (``shopsense bench rec``)."""
