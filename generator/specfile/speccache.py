"""Spec files as read before, keyed by their text, so a generate parses only the files that
changed.

An entry holds what reading a YAML spec file produced: its plain data and the positions of its
keys and values (the Locator), as JSON, under the digest of slogen's source, the file's name
as shown in messages and its text. Only files that read without any problem are kept (no
YAML, secret, text or schema error), so a file served from here would have passed those checks
again: it is only validated into its spec model. Entries are plain JSON data checked on the
way back (their shape, then the spec model's validation); an entry that does not fit is
ignored and the file is read again. Nothing here is executed or unpickled.

It also keeps the digests of the PromQL expressions of the specs that a parser accepted
(promtool, named by its path, size and modification time, or the in-process parser), so the
syntax check asks only about expressions it has not seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from generator.specfile.yamlread import Locator


class SpecCache:
    """Parsed spec files by key; `used` is what this run read or added (what is kept)."""

    def __init__(self, salt: str, known: Mapping[str, Any] | None = None,
                 promql: Mapping[str, Any] | None = None) -> None:
        self.salt = salt
        self.known: Mapping[str, Any] = known if isinstance(known, dict) else {}
        self.used: dict[str, Any] = {}
        # PromQL expressions (their digests) a parser accepted, by parser and slogen.
        self.promql: Mapping[str, Any] = promql if isinstance(promql, dict) else {}
        self.promql_used: dict[str, list[str]] = {}

    def parsed(self, parser: str) -> frozenset[str]:
        """Digests of the expressions `parser` accepted before (with this slogen)."""
        found = self.promql.get(f"{self.salt} {parser}")
        if not isinstance(found, list) or not all(type(d) is str for d in found):
            return frozenset()
        return frozenset(found)

    def add_parsed(self, parser: str, digests: set[str]) -> None:
        """Remember that `parser` accepted these expressions (the ones in use now)."""
        self.promql_used = {f"{self.salt} {parser}": sorted(digests)}

    def key(self, shown: str, text: str) -> str:
        h = hashlib.sha256(f"{self.salt}\0{shown}\0".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def has(self, shown: str, text: str) -> bool:
        """Whether `shown` with `text` was read before (`get` may still refuse the entry)."""
        return self.key(shown, text) in self.known

    def get(self, shown: str, text: str) -> tuple[Any, Locator] | None:
        """The data and Locator `shown` with `text` was read into before, or None."""
        key = self.key(shown, text)
        entry = self.known.get(key)
        if entry is None:
            return None
        try:
            data, positions, values = entry
            locator = Locator(shown, _locations(positions), _locations(values))
        except (TypeError, ValueError):
            return None
        # JSON holds nothing the YAML reader would not produce (string keys, finite numbers).
        self.used[key] = entry
        return data, locator

    def put(self, shown: str, text: str, data: Any, locator: Locator) -> None:
        """Keep what `shown` with `text` was read into (when it survives JSON unchanged)."""
        entry = [data, [[list(k), *v] for k, v in locator.positions.items()],
                 [[list(k), *v] for k, v in locator.values.items()]]
        try:
            # The YAML reader yields dicts with string keys, lists, strings, ints, finite
            # floats (it refuses NaN and infinity), booleans and None: JSON keeps them as
            # they are. Anything else makes orjson refuse the entry. Kept as JSON text: the
            # position rows are many small lists.
            self.used[self.key(shown, text)] = orjson.dumps(entry)
        except (TypeError, ValueError):  # orjson's errors are TypeErrors
            return

    def to_json(self) -> dict[str, Any]:
        """Entries by key: JSON data, or JSON text (bytes) for the entries added now."""
        return self.used


def _locations(rows: Any) -> dict[tuple[str | int, ...], tuple[int, int]]:
    found: dict[tuple[str | int, ...], tuple[int, int]] = {}
    for path, line, column in rows:
        if not isinstance(path, list) or not all(
                type(p) is str or type(p) is int for p in path) or \
                type(line) is not int or type(column) is not int:
            raise ValueError("not a location")
        found[tuple(path)] = (line, column)
    return found
