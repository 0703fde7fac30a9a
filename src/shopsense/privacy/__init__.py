"""Privacy: a user's data exported or deleted across every store, and pseudonymous user ids (docs/privacy.md)."""
