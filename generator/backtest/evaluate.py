"""Run probes through a query function, score them, and pick tuning hints from replayed variants.

The query function is passed in (a live Prometheus in the CLI), so this module stays pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from generator.backtest import probes as pr
from generator.backtest.scoring import Incident, Interval, Score, combine, episodes, score
from generator.core import model as m

# (expr, start, end, step) -> per series, the times the condition held.
QueryFn = Callable[[str, float, float, float], list[list[float]]]
MAX_HINTS = 3


@dataclass(frozen=True)
class Window:
    """The time range and evaluation step of a backtest."""

    start: float
    end: float
    step: float


@dataclass(frozen=True)
class AlertResult:
    """One probe's score, its episodes, and the variants that would have scored better."""

    probe: pr.Probe
    score: Score
    fired: tuple[Interval, ...]
    relevant: tuple[Incident, ...]
    hints: tuple[tuple[str, Score], ...]


def approach(probe: pr.Probe) -> str:
    """Which family of alerting an alert belongs to, for the side-by-side comparison."""
    if probe.kind.startswith("burn rate"):
        return "SLO burn rate"
    return {"predict": "predictive", "anomaly": "anomaly (z-score)",
            "threshold": "static threshold", "tiered": "static threshold"}.get(probe.kind,
                                                                              probe.kind)


class _Cache:
    """Each distinct expression is queried once; `for` variants reuse the samples."""

    def __init__(self, query: QueryFn, window: Window) -> None:
        self._query, self._window = query, window
        self._seen: dict[str, list[list[float]]] = {}

    def fired(self, probe: pr.Probe) -> list[Interval]:
        w = self._window
        if probe.expr not in self._seen:
            self._seen[probe.expr] = self._query(probe.expr, w.start, w.end, w.step)
        return episodes(self._seen[probe.expr], w.step, probe.for_)


def _hints(base: Score, tried: list[tuple[str, Score]]) -> tuple[tuple[str, Score], ...]:
    better = [(name, s) for name, s in tried
              if s.f1 is not None and (base.f1 is None or s.f1 > base.f1 + 1e-9)]
    better.sort(key=lambda x: (-(x[1].f1 or 0), x[0]))
    return tuple(better[:MAX_HINTS])


def evaluate(model: m.Model, incidents: Sequence[Incident], query: QueryFn, window: Window,
             grace: timedelta, tune: bool = True) -> list[AlertResult]:
    """Score every Prometheus alert of `model` over `window`, with tuning hints if `tune`."""
    cache = _Cache(query, window)
    inside = [i for i in incidents if i.end >= window.start and i.start <= window.end]
    results = []
    for probe in pr.model_probes(model):
        relevant = tuple(i for i in inside if i.expects(probe.service, probe.alert))
        fired = cache.fired(probe)
        base = score(fired, relevant, grace)
        tried = ([(v.variant, score(cache.fired(v), relevant, grace))
                  for v in pr.variants(model, probe)] if tune else [])
        results.append(AlertResult(probe, base, tuple(fired), relevant, _hints(base, tried)))
    return results


def group(results: Sequence[AlertResult], key: Callable[[AlertResult], str],
          grace: timedelta) -> dict[str, Score]:
    """Combined scores of the results sharing a key (severity, service, approach)."""
    groups: dict[str, list[AlertResult]] = {}
    for r in results:
        groups.setdefault(key(r), []).append(r)
    return {k: combine([(list(r.fired), r.relevant) for r in rs], grace)
            for k, rs in sorted(groups.items())}
