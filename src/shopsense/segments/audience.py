"""Saved segments and their members: save with validation, count live, page, export as a target list.

Members are computed on demand from the profile documents as they stream out of the store (see
:mod:`shopsense.segments.evaluate`), so counts are always live. A target list is CSV or
JSON Lines: one user per line, ``user_id`` first, then the chosen profile fields by dotted path.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import orjson

from shopsense.segments.evaluate import compile_rule
from shopsense.segments.fields import MISSING, FieldType, field_type, resolve
from shopsense.segments.rules import InvalidRule, Problem, Rule, parse_rule
from shopsense.storage.segments import SegmentStore, StoredSegment

NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}"
EXPORT_FORMATS = ("csv", "jsonl")
Profiles = Iterable[tuple[str, Mapping[str, Any]]]  # (user_id, profile document), e.g. ProfileStore.iter_all()


@dataclass(frozen=True)
class Census:
    matched: int
    total: int  # profiles looked at
    sample: list[str]  # the first matching user ids, in user id order


def checked_rule(definition: Any, prefix: str = "definition") -> Rule:
    """The parsed rule; :class:`InvalidRule` otherwise, with problem paths under ``prefix``."""
    try:
        return parse_rule(definition)
    except InvalidRule as exc:
        moved = [Problem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in exc.problems]
        raise InvalidRule(moved) from None


def save_segment(store: SegmentStore, name: str, definition: Any, description: str = "") -> tuple[StoredSegment, bool]:
    """Validate and store a segment (True when it is new); raises :class:`InvalidRule` listing every
    problem, at ``name`` or ``definition.<JSON path>``."""
    problems = [] if re.fullmatch(NAME_PATTERN, name) else [
        Problem("name", "a segment name has 1-128 letters, digits, '_', '.' or '-' and starts with a letter or digit")
    ]  # fmt: skip
    try:
        checked_rule(definition)
    except InvalidRule as exc:
        problems.extend(exc.problems)
    if problems:
        raise InvalidRule(problems)
    return store.put(name, definition, description)


def members(rule: Rule, profiles: Profiles) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The profiles that satisfy ``rule``, in the order given, evaluated as they stream by."""
    test = compile_rule(rule)
    return ((user_id, document) for user_id, document in profiles if test(document))


def census(rule: Rule, profiles: Profiles, *, sample: int = 0) -> Census:
    """How many profiles satisfy ``rule`` out of how many, with up to ``sample`` of their user ids."""
    test = compile_rule(rule)
    total, matched, first = 0, 0, []
    for user_id, document in profiles:
        total += 1
        if test(document):
            matched += 1
            if len(first) < sample:
                first.append(user_id)
    return Census(matched, total, first)


def page_of(rule: Rule, profiles: Profiles, *, page: int, page_size: int) -> tuple[int, list[tuple[str, Mapping]]]:
    """(members in all, the members of page ``page`` counted from 1)."""
    start, rows, matched = (page - 1) * page_size, [], 0
    for entry in members(rule, profiles):
        if start <= matched < start + page_size:
            rows.append(entry)
        matched += 1
    return matched, rows


def parse_fields(fields: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(name, path) of each requested export field; raises :class:`InvalidRule` naming unknown ones."""
    parsed, problems = [], []
    for index, name in enumerate(fields):
        path = tuple(name.split("."))
        kind = field_type(path) if all(path) else "empty key in the path"
        if not isinstance(kind, FieldType):
            problems.append(Problem(f"fields[{index}]", f"unknown field '{name}': {kind}"))
        parsed.append((name, path))
    if problems:
        raise InvalidRule(problems)
    return parsed


def target_record(user_id: str, document: Mapping[str, Any], fields: Sequence[tuple[str, tuple[str, ...]]]) -> dict:
    """``{"user_id": …, field: value …}`` with None for fields the profile lacks."""
    record: dict[str, Any] = {"user_id": user_id}
    for name, path in fields:
        value = resolve(document, path)
        record[name] = None if value is MISSING else value
    return record


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return orjson.dumps(value).decode() if isinstance(value, (list, dict)) else value


def write_target_list(
    rows: Iterable[tuple[str, Mapping[str, Any]]], out: TextIO, *, fmt: str, fields: Sequence[str] = ()
) -> int:
    """Write ``rows`` as CSV (header line; lists and objects as JSON text) or JSON Lines; returns the count."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    parsed = parse_fields(fields)
    writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(["user_id", *(name for name, _ in parsed)])
    written = 0
    for user_id, document in rows:
        record = target_record(user_id, document, parsed)
        if writer is not None:
            writer.writerow([_cell(v) for v in record.values()])
        else:
            out.write(orjson.dumps(record).decode() + "\n")
        written += 1
    return written
