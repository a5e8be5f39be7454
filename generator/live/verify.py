"""`slogen verify`: every metric and label matcher the specs reference exists in Prometheus.

References are found with the PromQL tokenizer in every located expression of the model and in
the SLI queries slogen derives; each miss is reported at the spec location that wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from generator.core.model import Model, Service, SliKind, Source
from generator.live.client import PrometheusClient
from generator.live.promql import PromQLSyntaxError, Selector, selectors

DEFAULT_MAX_SERIES = 10_000
VALUES_SHOWN = 10
SLO_RECORD_PREFIX = "slo:"


class Level(StrEnum):
    """How bad a finding is: errors fail verify, warnings are printed."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Reference:
    """A selector written (or derived) at one spec location."""

    selector: Selector
    source: Source


@dataclass(frozen=True)
class Finding:
    """One problem found, located in the specs."""

    level: Level
    source: Source
    message: str

    def __str__(self) -> str:
        return f"{self.source.prefix()}: {self.level.value}: {self.message}"


def references(model: Model, services: Sequence[Service]) -> tuple[list[Reference], list[Finding]]:
    """Selectors referenced by `services`, and errors for expressions that cannot be read."""
    files = {s.source_file for s in services}
    located = [(src, expr) for src, expr in model.expressions if src.file in files]
    for svc in services:
        # Events SLIs are written in the spec and already located; the others are derived.
        for slo in (x for x in svc.slos if x.sli.kind is not SliKind.EVENTS):
            src = Source(
                slo.source.file, f"{slo.source.path}.sli", slo.source.line, slo.source.column
            )
            located += [(src, slo.sli.errors("5m")), (src, slo.sli.total("5m"))]
    refs: list[Reference] = []
    problems: list[Finding] = []
    for src, expr in located:
        try:
            found = selectors(expr)
        except PromQLSyntaxError as exc:
            problems.append(Finding(Level.ERROR, src, f"cannot read selectors: {exc}"))
            continue
        refs += [Reference(sel, src) for sel in found if Reference(sel, src) not in refs]
    return refs, problems


SeriesLookup = Callable[[str], list[dict[str, str]]]


def check(
    refs: Iterable[Reference],
    lookup: SeriesLookup,
    recorded: frozenset[str],
    max_series: int = DEFAULT_MAX_SERIES,
) -> list[Finding]:
    """Findings for `refs`; `lookup(selector)` returns the label sets of matching series."""
    cache: dict[str, list[dict[str, str]]] = {}

    def series(match: str) -> list[dict[str, str]]:
        if match not in cache:
            cache[match] = lookup(match)
        return cache[match]

    out: list[Finding] = []
    for ref in refs:
        out += [f for f in _check_one(ref, series, recorded, max_series) if f not in out]
    return out


def _check_one(
    ref: Reference, series: SeriesLookup, recorded: frozenset[str], max_series: int
) -> list[Finding]:
    sel, src = ref.selector, ref.source
    name = sel.name()
    out: list[Finding] = []
    if name is not None:
        family = series(f'{{__name__="{name}"}}')
        if not family:
            hint = (
                " (a recording rule: are slogen's rules loaded in this Prometheus?)"
                if name in recorded or name.startswith(SLO_RECORD_PREFIX)
                else ""
            )
            return [Finding(Level.ERROR, src, f"metric {name} has no series{hint}")]
        for m in sel.label_matchers():
            if m.positive and not series(str(Selector(name, (m,)))):
                seen = sorted({s[m.name] for s in family if m.name in s})
                known = (
                    ", ".join(seen[:VALUES_SHOWN]) + (", ..." if len(seen) > VALUES_SHOWN else "")
                    if seen
                    else "the label is not on any series"
                )
                out.append(
                    Finding(Level.ERROR, src, f"no series of {name} has {m} (values seen: {known})")
                )
            elif not m.positive and not any(m.name in s for s in family):
                out.append(
                    Finding(
                        Level.WARNING,
                        src,
                        f"{m}: label {m.name} is not on any "
                        f"series of {name}; the matcher does nothing",
                    )
                )
    if out:
        return out
    matched = series(str(sel))
    if not matched:
        level = Level.WARNING if name is not None else Level.ERROR
        out.append(
            Finding(
                level,
                src,
                f"{sel} matches no series (each matcher alone does)"
                if name is not None
                else f"{sel} matches no series",
            )
        )
    elif len(matched) > max_series:
        out.append(
            Finding(
                Level.WARNING,
                src,
                f"{sel} matches {len(matched)} series, more than {max_series}: high cardinality",
            )
        )
    return out


def lookup_for(client: PrometheusClient, start: float, end: float) -> SeriesLookup:
    """A series lookup against `client` over [start, end]."""
    return lambda match: client.series(match, start, end)
