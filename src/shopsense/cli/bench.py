"""``shopsense bench …`` commands (filled in by the benchmark module)."""
