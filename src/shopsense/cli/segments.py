"""Segments commands."""
