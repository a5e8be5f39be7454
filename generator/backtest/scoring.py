"""Firing episodes from evaluation samples (with `for`), one-to-one matching with incidents, and
the figures derived from it. docs/backtest.md states the same rules in prose.

Times are Unix seconds. The rules, each tested on its own in tests/backtest/test_scoring.py:

- Scope: only episodes and incidents that begin inside the scored range (after the warm-up)
  are scored. An episode that began in the warm-up is `warm-up`; an episode caused by an
  incident that began in the warm-up is `excluded`; neither is a false positive.
- Eligibility: an episode can detect an incident when it begins no earlier than the incident's
  start minus the lead allowance (only predictive alerts get one) and no later than the
  incident's end plus the grace period. An episode that began before that, for an earlier
  incident, cannot be credited with a later one.
- One-to-one: each incident is matched with at most one episode and each episode with at most
  one incident (a maximum matching: incidents by deadline, each taking the earliest free
  eligible episode). Matched episodes are `detected`.
- Unmatched episodes that overlap an expected incident (re-fires, flapping) are `duplicate`:
  not false alarms, but they lower precision in episodes. The rest are `false`.
- Delay: the matched episode's start (the first evaluation at which the alert fired, after its
  `for`) minus the incident's start; negative when a predictive alert warned early.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

Interval = tuple[float, float]


@dataclass(frozen=True)
class Incident:
    """A labelled incident: what it affected (service, SLO, metrics), its kind, and when."""

    name: str
    service: str
    kind: str
    start: float
    end: float
    slo: str = ""
    metrics: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """What is scored: episodes and incidents beginning in [start, end]; `grace` after an
    incident's end an episode may still detect it, `lead` before its start (predictive)."""

    start: float
    end: float
    grace: float
    lead: float = 0.0

    def holds(self, t: float) -> bool:
        """True when time `t` is inside the scored range."""
        return self.start <= t <= self.end


class Verdict(StrEnum):
    """What an episode was judged to be."""

    DETECTED = "detected"
    DUPLICATE = "duplicate"
    FALSE = "false"
    WARMUP = "warm-up"
    EXCLUDED = "excluded"


@dataclass(frozen=True)
class Episode:
    """One firing interval and its verdict; `incident` names the matched or overlapped one."""

    start: float
    end: float
    verdict: Verdict
    incident: str = ""
    delay: float | None = None


@dataclass(frozen=True)
class Score:
    """Counts for one alert or a group of alerts; figures derive from them.

    `matched` episodes detected `detected` distinct incidents (equal for one alert), out of
    `incidents` expected ones; `delays` holds one delay per detected incident.
    """

    matched: int = 0
    duplicates: int = 0
    false: int = 0
    incidents: int = 0
    detected: int = 0
    delays: tuple[float, ...] = ()

    def __add__(self, other: Score) -> Score:
        return Score(self.matched + other.matched, self.duplicates + other.duplicates,
                     self.false + other.false, self.incidents + other.incidents,
                     self.detected + other.detected, self.delays + other.delays)

    @property
    def episodes(self) -> int:
        """Scored episodes."""
        return self.matched + self.duplicates + self.false

    @property
    def missed(self) -> int:
        """Expected incidents no episode detected."""
        return self.incidents - self.detected

    @property
    def precision_episodes(self) -> float | None:
        """Matched episodes / scored episodes: flapping and re-fires count against it."""
        return self.matched / self.episodes if self.episodes else None

    @property
    def precision_incidents(self) -> float | None:
        """Detected incidents / (detected incidents + false episodes): each false episode is a
        false incident; re-fires during a real one are not."""
        claims = self.detected + self.false
        return self.detected / claims if claims else None

    @property
    def recall_incidents(self) -> float | None:
        """Detected incidents / expected incidents."""
        return self.detected / self.incidents if self.incidents else None

    @property
    def recall_episodes(self) -> float | None:
        """Matched episodes / (matched episodes + missed incidents); with one-to-one matching
        this equals recall in incidents for one alert."""
        total = self.matched + self.missed
        return self.matched / total if total else None

    @property
    def f1(self) -> float | None:
        """F1 of precision in episodes and recall in incidents (None without incidents)."""
        return _f1(self.precision_episodes, self.recall_incidents)

    @property
    def f1_incidents(self) -> float | None:
        """F1 of precision and recall in incidents."""
        return _f1(self.precision_incidents, self.recall_incidents)

    @property
    def delay_median(self) -> float | None:
        """Median detection delay in seconds."""
        return statistics.median(self.delays) if self.delays else None

    @property
    def delay_max(self) -> float | None:
        """Longest detection delay in seconds."""
        return max(self.delays) if self.delays else None


def _f1(p: float | None, r: float | None) -> float | None:
    if r is None:
        return None
    return 2 * p * r / (p + r) if p and r else 0.0


def episodes(series: Iterable[Sequence[float]], step: float, for_: timedelta,
             keep_firing_for: timedelta = timedelta(0)) -> list[Interval]:
    """Firing intervals from the evaluation times at which each series' condition held.

    As Prometheus does: an alert is pending at the first true evaluation, fires at the first
    evaluation at least `for` later, and resolves at the first false evaluation (or, with
    `keep_firing_for`, the first evaluation that long after the last true one). A missed
    evaluation resets pending. Intervals of all series of one rule are merged.
    """
    hold, keep = for_.total_seconds(), keep_firing_for.total_seconds()
    found: list[Interval] = []
    for times in series:
        run: list[float] = []
        for t in [*times, float("inf")]:
            if run and t - run[-1] > step * 1.5 + keep:
                firing = [x for x in run if x - run[0] >= hold]
                if firing:
                    found.append((firing[0], run[-1] + step * (1 + math.ceil(keep / step))))
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


def _eligible(ep: Interval, inc: Incident, scope: Scope) -> bool:
    return inc.start - scope.lead <= ep[0] <= inc.end + scope.grace


def _overlaps(ep: Interval, inc: Incident, scope: Scope) -> bool:
    return ep[0] <= inc.end + scope.grace and ep[1] > inc.start - scope.lead


def _match(fired: Sequence[Interval], incidents: Sequence[Incident],
           scope: Scope) -> dict[int, Incident]:
    """Episode index -> incident: a maximum one-to-one matching."""
    taken: dict[int, Incident] = {}
    for inc in sorted(incidents, key=lambda i: (i.end, i.start, i.name)):
        free = [n for n, ep in enumerate(fired)
                if n not in taken and scope.holds(ep[0]) and _eligible(ep, inc, scope)]
        if free:
            taken[free[0]] = inc
    return taken


def judge(fired: Sequence[Interval], expected: Sequence[Incident],
          scope: Scope) -> tuple[list[Episode], Score]:
    """Judge one alert's episodes against the incidents it is expected to catch."""
    scored = [i for i in expected if scope.holds(i.start)]
    taken = _match(fired, scored, scope)
    judged = []
    for n, ep in enumerate(fired):
        if n in taken:
            inc = taken[n]
            judged.append(Episode(ep[0], ep[1], Verdict.DETECTED, inc.name, ep[0] - inc.start))
            continue
        near = next((i for i in expected if _overlaps(ep, i, scope)), None)
        if not scope.holds(ep[0]):
            verdict = Verdict.WARMUP
        elif near is not None and not scope.holds(near.start):
            verdict = Verdict.EXCLUDED
        else:
            verdict = Verdict.DUPLICATE if near is not None else Verdict.FALSE
        judged.append(Episode(ep[0], ep[1], verdict, near.name if near else ""))
    delays = tuple(e.delay for e in judged if e.delay is not None)
    count = {v: sum(1 for e in judged if e.verdict is v) for v in Verdict}
    return judged, Score(count[Verdict.DETECTED], count[Verdict.DUPLICATE], count[Verdict.FALSE],
                         len(scored), len(delays), delays)


def combine(parts: Sequence[tuple[Sequence[Episode], Sequence[Incident]]],
            scope: Scope) -> Score:
    """Score a group of alerts judged one by one: episodes pooled; an incident expected by
    any of them is detected when one of them detected it, at the earliest such delay."""
    expected = {i.name: i for _, incs in parts for i in incs if scope.holds(i.start)}
    first: dict[str, float] = {}
    total = Score()
    for judged, _ in parts:
        count = {v: sum(1 for e in judged if e.verdict is v) for v in Verdict}
        total += Score(count[Verdict.DETECTED], count[Verdict.DUPLICATE], count[Verdict.FALSE])
        for e in judged:
            if e.delay is not None and e.incident in expected:
                first[e.incident] = min(first.get(e.incident, e.delay), e.delay)
    return Score(total.matched, total.duplicates, total.false, len(expected), len(first),
                 tuple(first[k] for k in sorted(first)))
