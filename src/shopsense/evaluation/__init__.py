"""Evaluation protocols, metrics and benchmark runners."""
