"""Guess where in a Jsonnet file a value of its output was written, for schema errors.

Jsonnet keeps no source positions in its output, so this looks for the key in the source text:
`key: value` written together first (the value tells same-named keys apart), then the key
alone, counting occurrences in output order when a key is written several times. A value built
by a library function has no such place in the spec file; the nearest ancestor that does is
named instead, and failing all, the first line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from generator.core.errors import Loc


class JsonnetPositions(Mapping[Loc, tuple[int, int]]):
    """Key path -> (line, column) in the Jsonnet source, computed on lookup."""

    def __init__(self, text: str, data: Any) -> None:
        self._text = text
        self._data = data
        self._cache: dict[Loc, tuple[int, int] | None] = {}

    def __getitem__(self, loc: Loc) -> tuple[int, int]:
        found = self._lookup(tuple(loc))
        if found is None:
            raise KeyError(loc)
        return found

    def __contains__(self, loc: object) -> bool:
        return isinstance(loc, tuple) and self._lookup(loc) is not None

    def __iter__(self) -> Iterator[Loc]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def _lookup(self, loc: Loc) -> tuple[int, int] | None:
        if not loc:
            return _first_code(self._text)
        if loc not in self._cache:
            self._cache[loc] = self._find(loc)
        return self._cache[loc]

    def _find(self, loc: Loc) -> tuple[int, int] | None:
        key = loc[-1]
        if not isinstance(key, str):
            return None
        value = _value_at(self._data, loc)
        same = [p for p in _paths_with_key(self._data, key)]
        rank = same.index(loc) if loc in same else 0
        if value is not _MISSING and isinstance(value, (str, int, float, bool)):
            with_value = [p for p in same if _value_at(self._data, p) == value]
            hits = _matches(self._text, _key_pattern(key) + r"\s*:{1,3}\s*" + _literal(value))
            if hits and len(hits) == len(with_value):
                return hits[with_value.index(loc) if loc in with_value else 0]
            if len(hits) == 1:
                return hits[0]
        hits = _matches(self._text, _key_pattern(key) + r"\s*:{1,3}")
        if hits and len(hits) == len(same):
            return hits[rank]
        if len(hits) == 1:
            return hits[0]
        if value is not _MISSING and isinstance(value, (str, int, float)) and len(str(value)) > 1:
            # Passed to a library function: the literal itself, when written only once.
            hits = _matches(self._text, r"(?<![\w.])" + _literal(value))
            if len(hits) == 1:
                return hits[0]
        return None


_MISSING = object()


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        inside = (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data))
        if inside:
            data = data[part]
        else:
            return _MISSING
    return data


def _paths_with_key(data: Any, key: str) -> list[Loc]:
    out: list[Loc] = []
    stack: list[tuple[Loc, Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, dict):
            for k in reversed(list(node)):
                stack.append(((*loc, k), node[k]))
            if loc and loc[-1] == key:
                out.append(loc)
        elif isinstance(node, list):
            for index in reversed(range(len(node))):
                stack.append(((*loc, index), node[index]))
            if loc and loc[-1] == key:
                out.append(loc)
        elif loc and loc[-1] == key:
            out.append(loc)
    return out


def _key_pattern(key: str) -> str:
    quoted = re.escape(json.dumps(key))
    single = re.escape("'" + key + "'")
    bare = r"(?<![\w$.])" + re.escape(key) + r"(?!\w)"
    return f"(?:{quoted}|{single}|{bare})"


def _literal(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return re.escape(text[:-2] if text.endswith(".0") else text) + r"(?![\d.])"
    return "(?:" + re.escape(json.dumps(value)) + "|" + re.escape("'" + value + "'") + ")"


def _matches(text: str, pattern: str) -> list[tuple[int, int]]:
    out = []
    for found in re.finditer(pattern, text):
        start = found.start()
        line = text.count("\n", 0, start) + 1
        out.append((line, start - (text.rfind("\n", 0, start) + 1) + 1))
    return out


def _first_code(text: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("//", "#", "/*", "*")):
            return number, len(line) - len(line.lstrip()) + 1
    return 1, 1
