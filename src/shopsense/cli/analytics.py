"""Analytics commands."""
