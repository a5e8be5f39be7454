"""Reads plain YAML data field by field, collecting every located problem, for the exporter config.

The exporter validates its small config by hand rather than with pydantic: pydantic and its
compiled core cost the long-running process about 11 MiB of its 50 MiB budget. The messages
follow the spec language's (`unknown key 'sqll'; did you mean 'sql'?`, `required key is
missing`, `'x' is not valid here: ...`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from generator.core.durations import parse_duration
from generator.core.errors import Loc, SpecError
from generator.specfile.yamlread import Locator

IDENTIFIER = (re.compile(r"[a-z][a-z0-9_-]*"), 63,
              "use lower-case letters, digits, '-' and '_', starting with a letter")
LABEL_NAME = (re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*"), None,
              "a label name has letters, digits and '_', and no leading digit")
METRIC_NAME = (re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*"), None,
               "a metric name has letters, digits, '_' and ':'")
Pattern = tuple[re.Pattern[str], int | None, str]


class Reader:
    """Typed reads of plain data; each failed read records a located error and returns None."""

    def __init__(self, locator: Locator) -> None:
        self.errors: list[SpecError] = []
        self._locator = locator

    def fail(self, loc: Loc, message: str, *, key: bool = False) -> None:
        """Record a problem at `loc`."""
        self.errors.append(self._locator.error(loc, message, key=key))

    def mapping(
        self, value: Any, loc: Loc, required: Collection[str], optional: Collection[str] = ()
    ) -> dict[str, Any] | None:
        """`value` as a mapping with exactly the known keys; unknown and missing keys fail."""
        if not isinstance(value, dict):
            self.fail(loc, f"expected a mapping, got {_kind(value)}")
            return None
        known = [*required, *optional]
        for name in value:
            if name not in known:
                hint = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
                self.fail((*loc, name), f"unknown key {name!r}; did you mean {hint[0]!r}?"
                          if hint else f"unknown key {name!r}; known keys: "
                          f"{', '.join(sorted(known))}", key=True)
        for name in required:
            if name not in value:
                self.fail((*loc, name), "required key is missing", key=True)
        return value

    def items(self, value: Any, loc: Loc, *, at_least: int = 0) -> list[Any] | None:
        """`value` as a list of at least `at_least` items."""
        if not isinstance(value, list):
            self.fail(loc, f"expected a list, got {_kind(value)}")
            return None
        if len(value) < at_least:
            self.fail(loc, "must not be empty" if at_least == 1 else
                      f"needs at least {at_least} items")
            return None
        return value

    def text(self, value: Any, loc: Loc, pattern: Pattern | None = None) -> str | None:
        """A non-empty string, matching `pattern` when given."""
        if not isinstance(value, str):
            hint = (f"; quote it if you mean the text: '{value}'"
                    if isinstance(value, (int, float)) and not isinstance(value, bool) else "")
            self.fail(loc, f"expected text, got {_show(value)}{hint}")
            return None
        if not value:
            self.fail(loc, "must not be empty")
            return None
        if pattern is not None:
            regex, longest, help_text = pattern
            if not regex.fullmatch(value):
                self.fail(loc, f"{_show(value)} is not valid here: {help_text}")
                return None
            if longest is not None and len(value) > longest:
                self.fail(loc, f"is too long: at most {longest} characters")
                return None
        return value

    def integer(self, value: Any, loc: Loc, low: int, high: int) -> int | None:
        """A whole number in [low, high]."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(loc, f"expected a whole number, got {_show(value)}")
            return None
        if not low <= value <= high:
            self.fail(loc, f"must be between {low} and {high} (got {value})")
            return None
        return value

    def number(self, value: Any, loc: Loc, *, at_least: float | None = None) -> float | None:
        """A number, at least `at_least` when given."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(loc, f"expected a number, got {_show(value)}")
            return None
        if at_least is not None and value < at_least:
            self.fail(loc, f"must be greater than or equal to {at_least:g} (got {value!r})")
            return None
        return float(value)

    def duration(self, value: Any, loc: Loc) -> timedelta | None:
        """A Prometheus duration longer than zero."""
        try:
            parsed = parse_duration(value)
        except ValueError as exc:
            self.fail(loc, str(exc))
            return None
        if parsed <= timedelta(0):
            self.fail(loc, "must be longer than 0s")
            return None
        return parsed


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return _kind(value)
    return repr(value) if not isinstance(value, str) or len(value) <= 80 else repr(value[:77])


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "nothing"}.get(type(value), "a value")
