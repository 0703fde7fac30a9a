"""``shopsense bench assistant``: intents (Bitext), answer retrieval (Amazon QA), response selection (JDDC),
grounding on the demo shop, and latency. See docs/assistant.md for the protocols."""
