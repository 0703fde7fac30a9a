"""The shop's FAQ and policy documents (Markdown), cut into sections and retrieved with :class:`HybridIndex`.

A section is a heading with the text under it; its title is the heading path ("Returns › Refund times"),
so a short section still carries its topic. Extractive answers quote the best section's first sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from shopsense.assistant.embeddings import Encoder
from shopsense.assistant.retrieval import HybridIndex
from shopsense.assistant.store import KnowledgeDocument

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
_MARKUP = re.compile(r"[*_`>]|^\s*[-+]\s+|^\s*\d+\.\s+", re.MULTILINE)
MIN_COSINE = 0.80  # e5 cosines below this are unrelated in practice (checked on the tests' policy files)


@dataclass(frozen=True)
class Section:
    doc_id: str
    title: str  # heading path
    text: str  # plain text of the section body


def split_sections(document: KnowledgeDocument) -> list[Section]:
    """Sections of a Markdown document: one per heading with a non-empty body (text before any heading too)."""
    path: list[str] = [document.title] if document.title else []
    base = len(path)
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        text = _MARKUP.sub("", "\n".join(body)).strip()
        if text:
            sections.append(Section(document.doc_id, " › ".join(path) or document.doc_id, re.sub(r"\s+", " ", text)))
        body.clear()

    for line in document.markdown.splitlines():
        heading = _HEADING.match(line)
        if heading is None:
            body.append(line)
            continue
        flush()
        level = len(heading.group(1))
        del path[base + level - 1 :]
        path.append(heading.group(2))
    flush()
    return sections


def excerpt(text: str, max_chars: int = 400) -> str:
    """The leading whole sentences of ``text`` that fit in ``max_chars`` (at least the first sentence)."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    kept: list[str] = []
    for sentence in sentences:
        if kept and len(" ".join(kept + [sentence])) > max_chars:
            break
        kept.append(sentence.strip())
    joined = "".join(kept) if all(re.search(r"[\u3400-\u9fff]", s) for s in kept) else " ".join(kept)
    return joined or text[:max_chars]


class KnowledgeBase:
    """Sections of every document, searchable; ``lookup`` returns the best section when it is relevant enough."""

    def __init__(self, documents: list[KnowledgeDocument], encoder: Encoder) -> None:
        self.sections = [s for d in documents for s in split_sections(d)]
        self._index = HybridIndex([f"{s.title}. {s.text}" for s in self.sections], encoder)

    def search(self, question: str, k: int = 3, *, query_vector: np.ndarray | None = None) -> list[tuple[Section, float]]:
        """Relevant sections, best first: cosine ≥ ``MIN_COSINE`` or at least one shared term."""
        hits = self._index.search(question, k, query_vector=query_vector)
        lexical = self._index.bm25(question)
        return [(self.sections[i], fused) for i, fused, cosine in hits if cosine >= MIN_COSINE or lexical[i] > 0]
