"""Recommender models, one file per family, all implementing ``models.base.Recommender``."""
