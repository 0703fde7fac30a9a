"""Wiring of parts: per-request serving pipelines and the training job."""
