"""Backtest one scenario: evaluate every shipped alert (and, for tuning, its variants) through a
query function, and judge the episodes. Pure: the query function and offsets are passed in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from generator.backtest import evaluate as ev
from generator.backtest.scoring import Episode, Incident, Scope, Score, combine
from generator.backtest.tuning import variants
from generator.core import model as m


@dataclass(frozen=True)
class ScenarioResult:
    """Every alert's result on one scenario, and its variants' scores (`tried[key][variant]`)."""

    name: str
    span: tuple[float, float]
    scope: Scope
    incidents: tuple[Incident, ...]
    results: tuple[ev.AlertResult, ...]
    tried: Mapping[str, Mapping[str, Score]] = field(default_factory=dict)


def run_scenario(name: str, alerts: Sequence[ev.ShippedAlert], incidents: Sequence[Incident],
                 model: m.Model, query: ev.QueryFn, offsets: Mapping[str, float],
                 span: tuple[float, float], scope: Scope,
                 tune: frozenset[str] = frozenset()) -> ScenarioResult:
    """Judge every scored alert over `span`; replay variants of the alerts keyed in `tune`."""
    results, tried = [], {}
    for alert in alerts:
        if not alert.scored:
            continue
        offset = offsets.get(alert.group, 0.0)
        line = ev.timeline(alert, query, span, offset)
        results.append(ev.judge_alert(alert, line.fired(), incidents, model, scope))
        if alert.key not in tune:
            continue
        scores = {}
        for v in variants(alert):
            fired = (line.fired(v.for_, v.keep_firing_for) if v.expr is None else
                     ev.timeline(alert, query, span, offset, v.expr).fired(v.for_))
            scores[v.name] = ev.judge_alert(alert, fired, incidents, model, scope).score
        tried[alert.key] = scores
    return ScenarioResult(name, span, scope, tuple(incidents), tuple(results), tried)


def grouped(results: Sequence[ev.AlertResult], key: Callable[[ev.AlertResult], str],
            scope: Scope, kind: str | None = None) -> dict[str, Score]:
    """Combined scores of the results sharing a key; with `kind`, only incidents of that kind
    and the episodes matched or overlapping them count."""
    groups: dict[str, list[tuple[Sequence[Episode], Sequence[Incident]]]] = {}
    for r in results:
        expected = [i for i in r.expected if kind is None or i.kind == kind]
        names = {i.name for i in expected}
        eps = r.episodes if kind is None else [e for e in r.episodes if e.incident in names]
        groups.setdefault(key(r), []).append((eps, expected))
    return {k: combine(parts, scope) for k, parts in sorted(groups.items())}


def kinds(scenarios: Sequence[ScenarioResult]) -> list[str]:
    """Incident kinds over all scenarios, sorted."""
    return sorted({i.kind for s in scenarios for i in s.incidents})


def pooled(scenarios: Sequence[ScenarioResult], key: Callable[[ev.AlertResult], str],
           kind: str | None = None) -> dict[str, Score]:
    """`grouped` summed over scenarios (incidents are distinct per scenario)."""
    total: dict[str, Score] = {}
    for s in scenarios:
        for k, score in grouped(s.results, key, s.scope, kind).items():
            total[k] = total.get(k, Score()) + score
    return dict(sorted(total.items()))


def approach(r: ev.AlertResult) -> str:
    """Group key: the alert's approach."""
    return r.alert.approach


def alert_key(r: ev.AlertResult) -> str:
    """Group key: service/alert/severity."""
    return r.alert.key
