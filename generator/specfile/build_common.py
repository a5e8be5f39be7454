"""Helpers every spec builder shares: error collection, locations, names, conditions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from generator.core import model as m
from generator.core.errors import Loc, SpecError, format_path
from generator.core.model import WINDOW_PLACEHOLDER, Condition, Op
from generator.specfile import models as s
from generator.specfile.loader import Locator


class Errors:
    """Collects errors while building, so one run reports them all."""

    def __init__(self) -> None:
        self.items: list[SpecError] = []

    def add(self, locator: Locator, loc: Loc, message: str) -> None:
        self.items.append(locator.error(loc, message))


def spec_source(locator: Locator, loc: Loc) -> m.Source:
    line, column = locator.find(loc)
    return m.Source(locator.file, format_path(loc), line, column)


def duplicates(names: Iterable[str]) -> list[tuple[int, str, int]]:
    """(index, name, index of the first use) for every repeated name."""
    first: dict[str, int] = {}
    dups = []
    for index, name in enumerate(names):
        if name in first:
            dups.append((index, name, first[name]))
        first.setdefault(name, index)
    return dups


def unknown(kind: str, name: str, known: Sequence[str]) -> str:
    listed = ", ".join(sorted(set(known))) if known else "none declared"
    return f"unknown {kind} {name!r}; known: {listed}"


def check_unique(loc: Locator, errors: Errors, key: str, names: list[str], kind: str) -> None:
    for i, name, j in duplicates(names):
        errors.add(loc, (key, i, "name"),
                   f"duplicate {kind} name {name!r}; {key}[{j}] has it already")


def condition(above: float | None, below: float | None, equals: float | None = None,
               outside: tuple[float, float] | None = None) -> Condition | None:
    if above is not None:
        return Condition(Op.ABOVE, above)
    if below is not None:
        return Condition(Op.BELOW, below)
    if equals is not None:
        return Condition(Op.EQUALS, equals)
    if outside is not None:
        return Condition(Op.OUTSIDE, outside[0], outside[1])
    return None


def runbook(spec: s.ServiceSpec, own: str | None, name: str) -> str | None:
    if own is not None:
        return own
    return f"{spec.runbook}#{name.lower()}" if spec.runbook else None


def mttd_target(loc: Locator, within: timedelta | None, path: Loc) -> m.MttdTarget | None:
    return None if within is None else m.MttdTarget(within, spec_source(loc, path))


def camel(*parts: str) -> str:
    return "".join(w[:1].upper() + w[1:] for p in parts for w in re.split(r"[-_\s]+", p) if w)


def selector(selector: str) -> str:
    text = selector.strip()
    return text if text.startswith("{") or not text else "{" + text + "}"


def normalize_placeholder(expr: str) -> str:
    return re.sub(r"\{\{\s*window\s*\}\}", WINDOW_PLACEHOLDER, expr)
