"""The shopping assistant (issue #7): customer service grounded in the catalogue, the shop's policies and
the user's orders, in Chinese and English. Entry point: :class:`shopsense.assistant.engine.Assistant`;
design and benchmark protocols: docs/assistant.md."""
