"""Turn condition samples into firing episodes (with `for`), match them with incidents, score.

Times are Unix seconds (floats). An episode is a true positive when it overlaps a relevant
incident (extended by a grace period after its end, since alerts resolve late); an incident is
detected when any episode overlaps it, and its detection delay is the first such episode's start
minus the incident's start (negative: the alert fired before the incident began, as a good
predictive alert does).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

Interval = tuple[float, float]


@dataclass(frozen=True)
class Incident:
    """A labelled incident; `alerts` limits which alerts are expected to catch it."""

    start: float
    end: float
    service: str
    name: str = ""
    alerts: tuple[str, ...] = ()

    def expects(self, service: str, alert: str) -> bool:
        """True when `alert` of `service` should fire for this incident."""
        return self.service == service and (not self.alerts or alert in self.alerts)


@dataclass(frozen=True)
class Score:
    """Counts and derived figures for one alert (or a group of alerts)."""

    tp: int
    fp: int
    fn: int
    incidents: int
    delays: tuple[float, ...]

    @property
    def precision(self) -> float | None:
        """Share of episodes that matched an incident; None with no episodes."""
        fired = self.tp + self.fp
        return self.tp / fired if fired else None

    @property
    def recall(self) -> float | None:
        """Share of relevant incidents detected; None with no relevant incidents."""
        return (self.incidents - self.fn) / self.incidents if self.incidents else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (0 when either is 0 or undefined)."""
        p, r = self.precision, self.recall
        if r is None:
            return None
        return 2 * p * r / (p + r) if p and r else 0.0

    @property
    def fp_rate(self) -> float | None:
        """Share of episodes that were false alarms (seed 000's false-positive rate)."""
        fired = self.tp + self.fp
        return self.fp / fired if fired else None

    @property
    def delay_median(self) -> float | None:
        """Median detection delay in seconds."""
        return statistics.median(self.delays) if self.delays else None

    @property
    def delay_max(self) -> float | None:
        """Longest detection delay in seconds."""
        return max(self.delays) if self.delays else None


def episodes(series: Iterable[Sequence[float]], step: float, for_: timedelta) -> list[Interval]:
    """Firing intervals from the timestamps at which each series' condition held.

    Prometheus evaluates every `step`: an alert is pending at the first true evaluation, fires
    at the first evaluation at least `for` later, and resolves at the first false evaluation.
    A missed evaluation resets pending. Intervals of all series are merged.
    """
    hold = for_.total_seconds()
    found: list[Interval] = []
    for times in series:
        run: list[float] = []
        for t in [*times, float("inf")]:
            if run and t - run[-1] > step * 1.5:
                firing = [x for x in run if x - run[0] >= hold]
                if firing:
                    found.append((firing[0], run[-1] + step))
                run = []
            run.append(t)
    return _merge(found)


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _overlaps(ep: Interval, inc: Incident, grace: float) -> bool:
    return ep[0] <= inc.end + grace and ep[1] >= inc.start


def score(fired: list[Interval], incidents: Sequence[Incident], grace: timedelta) -> Score:
    """Score one alert's episodes against the incidents it is expected to catch."""
    g = grace.total_seconds()
    tp = sum(1 for ep in fired if any(_overlaps(ep, inc, g) for inc in incidents))
    delays = []
    for inc in incidents:
        hits = [ep[0] for ep in fired if _overlaps(ep, inc, g)]
        if hits:
            delays.append(min(hits) - inc.start)
    return Score(tp, len(fired) - tp, len(incidents) - len(delays), len(incidents), tuple(delays))


def combine(parts: Sequence[tuple[list[Interval], Sequence[Incident]]],
            grace: timedelta) -> Score:
    """Score a group of alerts: pooled episodes, and each incident judged by the group's
    earliest detection among the alerts expected to catch it."""
    g = grace.total_seconds()
    tp = fp = 0
    first: dict[Incident, float | None] = {}
    for fired, incidents in parts:
        for ep in fired:
            if any(_overlaps(ep, inc, g) for inc in incidents):
                tp += 1
            else:
                fp += 1
        for inc in incidents:
            hits = [ep[0] for ep in fired if _overlaps(ep, inc, g)]
            best = min(hits) if hits else None
            old = first.get(inc)
            first[inc] = best if old is None else (old if best is None else min(old, best))
    delays = tuple(t - inc.start for inc, t in first.items() if t is not None)
    return Score(tp, fp, len(first) - len(delays), len(first), delays)
