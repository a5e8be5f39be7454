"""The SLO window read from tiles stays within the error bound that core/windows.py states.

promtool evaluates every group at every step, so the generated unit tests see each tile hold
one 5m rate; here Prometheus' schedule is replayed instead: the 5m rates recorded every 30s at
some phase, the slow group every 4m recording tiles and then the window from them, with the
ranges, offsets and weights read from the generated rules.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from generator import pipeline
from generator.core.durations import parse_duration
from generator.targets.prometheus.rule_files import layout, rule_groups

STEP = 30_000  # ms, the default evaluation interval
SLOW = 240_000  # the slow group's interval at that step
BASE = 300_000
WINDOW = 30 * 86_400_000
SPEC = """version: slogen/v1
service: svc
team: ops
slos:
  - name: api
    objective: 99.9
    window: 30d
    sli: {events: {bad: 'sum(rate(e[{{window}}]))', total: 'sum(rate(t[{{window}}]))'}}
"""


def _ms(text: str) -> int:
    return int(parse_duration(text).total_seconds() * 1000)


def _rules(write_spec: Callable[..., Path]) -> dict[str, str]:
    spec = write_spec(SPEC)
    write_spec("version: slogen/v1\n", "_global.yaml")
    model = pipeline.compile_specs(spec.parent, None)
    return {r["record"]: r["expr"] for g in rule_groups(model.services[0],
                                                        layout(model.prometheus))
            for r in g["rules"] if "record" in r}


class Traffic:
    """Counters of bad and all events from piecewise-constant rates (events per ms)."""

    def __init__(self, changes: Sequence[tuple[int, float, float]]) -> None:
        # (from time, all-event rate, error ratio), sorted by time; the first covers the past.
        self.starts = [c[0] for c in changes]
        self.rates = [(c[1] * c[2], c[1]) for c in changes]
        self.base: list[tuple[float, float]] = [(0.0, 0.0)]
        for i in range(1, len(changes)):
            span = self.starts[i] - self.starts[i - 1]
            e, t = self.base[-1]
            self.base.append((e + self.rates[i - 1][0] * span, t + self.rates[i - 1][1] * span))

    def counters(self, at: int) -> tuple[float, float]:
        i = max(0, bisect.bisect_right(self.starts, at) - 1)
        span = at - self.starts[i]
        return (self.base[i][0] + self.rates[i][0] * span,
                self.base[i][1] + self.rates[i][1] * span)

    def increase(self, start: int, end: int) -> tuple[float, float]:
        (e0, t0), (e1, t1) = self.counters(start), self.counters(end)
        return e1 - e0, t1 - t0


def _avg(samples: dict[int, tuple[float, float]], start: int, end: int, every: int,
         phase: int) -> tuple[float, float] | None:
    """avg_over_time over [start, end] (Prometheus 2: closed at both ends) of samples taken
    every `every` ms at `phase`."""
    first = start + (phase - start) % every
    picked = [samples[t] for t in range(first, end + 1, every) if t in samples]
    if not picked:
        return None
    return (sum(p[0] for p in picked) / len(picked), sum(p[1] for p in picked) / len(picked))


def _replay(rules: dict[str, str], traffic: Traffic, now: int, phase: int
            ) -> tuple[float, int, float]:
    """The tiled 30d ratio at `now` (a slow-group time) with the 5m rates recorded at `phase`
    (ms after each slow evaluation, modulo the step), the reach d of the tiles past the
    window's old edge, and the events the formula counts."""
    tile = rules["slo:sli_error:avg4m_rate5m"]
    tile_range, tile_offset = (_ms(x) for x in re.search(
        r"\[(\S+)\] offset (\S+)\)$", tile).groups())  # type: ignore[union-attr]
    weight, span = re.search(  # type: ignore[union-attr]
        r"\+ (\d+) \* avg_over_time\(slo:sli_error:avg4m_rate5m\{[^}]*\}\[(\S+)\]\)",
        rules["slo:error_budget_remaining:ratio"]).groups()
    w, span_ms = float(weight), _ms(span)
    oldest = now - span_ms - tile_offset - tile_range - BASE - STEP
    rates: dict[int, tuple[float, float]] = {}
    for t in range(oldest + (phase - oldest) % STEP, now + 1, STEP):
        e, total = traffic.increase(t - BASE, t)
        rates[t] = (e / BASE, total / BASE)
    tiles: dict[int, tuple[float, float]] = {}
    for n in range(span_ms // SLOW + 1):
        at = now - n * SLOW
        found = _avg(rates, at - tile_offset - tile_range, at - tile_offset, STEP, phase)
        if found is not None:
            tiles[at] = found
    older = _avg(tiles, now - span_ms, now, SLOW, now % SLOW)
    assert older is not None
    newest = rates[max(t for t in rates if t <= now)]
    errors, total = newest[0] + w * older[0], newest[1] + w * older[1]
    reach = len([t for t in tiles if now - span_ms <= t]) * SLOW - (WINDOW - BASE)
    return errors / total, reach, total * BASE


NOW = 40 * 86_400_000  # a slow-group time, 40 days in
PHASES = [0, 7_000, 29_999]


@pytest.mark.parametrize("phase", PHASES)
def test_steady_traffic_gives_the_exact_window(write_spec: Callable[..., Path],
                                               phase: int) -> None:
    rules = _rules(write_spec)
    ratio, reach, _ = _replay(rules, Traffic([(0, 10.0, 0.002)]), NOW, phase)
    assert reach == 60_000  # the tiles reach 1m past the window (10,799 tiles of 4m)
    assert ratio == pytest.approx(0.002, rel=1e-12)


@pytest.mark.parametrize("phase", PHASES)
def test_a_burn_at_the_old_edge_stays_within_the_stated_bound(
        write_spec: Callable[..., Path], phase: int) -> None:
    rules = _rules(write_spec)
    newest = NOW - (NOW - phase) % STEP  # the newest 5m rate's sample: where the window ends
    edge = newest - WINDOW
    hour = 3_600_000
    # Quiet at 0.1% errors, an hour of 3x traffic at 50% errors across the window's old edge,
    # and a day of 2x traffic at 1% in the middle: the tiles' extra minute is all burn.
    traffic = Traffic([(0, 10.0, 0.001), (edge - hour // 2, 30.0, 0.5),
                       (edge + hour // 2, 10.0, 0.001), (newest - 10 * 86_400_000, 20.0, 0.01),
                       (newest - 9 * 86_400_000, 10.0, 0.001)])
    ratio, reach, counted = _replay(rules, traffic, NOW, phase)
    e_w, t_w = traffic.increase(edge, newest)
    exact = e_w / t_w
    e_d, t_d = traffic.increase(edge - reach, edge)
    e_5, t_5 = traffic.increase(newest - BASE, newest)
    bound = (t_d * abs(e_d / t_d - exact)
             + reach / (WINDOW - BASE) * t_5 * abs(e_5 / t_5 - exact)) / counted
    error = abs(ratio - exact)
    assert error <= bound * (1 + 1e-9), (error, bound)
    # The bound is the error's size, not a far-off ceiling: 1m of 30d at 3x traffic, ~5e-5.
    assert error >= 0.5 * bound
    assert bound < 1e-4
