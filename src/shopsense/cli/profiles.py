"""Profiles commands."""
