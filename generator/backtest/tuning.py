"""Tuning hints: changed copies of a shipped alert replayed on the same scenarios.

A hint is only given for an alert expected to catch at least MIN_INCIDENTS incidents over all
scenarios (fewer would fit noise), only when the variant raises F1 over all scenarios pooled,
and it states the before/after scores on every scenario.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from generator.backtest.evaluate import SLO_APPROACH, ShippedAlert
from generator.backtest.scoring import Score
from generator.core.durations import format_duration

MIN_INCIDENTS = 3
MAX_HINTS = 3
THRESHOLD_FACTORS = (0.8, 1.25)
BURN_FACTORS = (0.75, 1.5)
KEEP_FIRING_FOR = timedelta(minutes=10)
# The final comparison of a threshold-style rule: `... > 0.05`.
_FINAL_COMPARISON = re.compile(r"(?P<op>[<>]=?)\s*(?P<num>[-+]?[0-9.]+(?:e[-+]?[0-9]+)?)\s*$")
# A burn-rate limit as the generated rules write it: `(14.4 * 0.005)`.
_BURN_LIMIT = re.compile(r"\((?P<factor>[0-9.]+) \* (?P<budget>[0-9.e-]+)\)")


@dataclass(frozen=True)
class Variant:
    """One change to replay: a different `for`, or a different expression."""

    name: str
    for_: timedelta | None = None
    expr: str | None = None
    keep_firing_for: timedelta | None = None


def _num(x: float) -> str:
    return f"{x:.6g}"


def _scaled_limit(found: re.Match[str], k: float) -> str:
    return f"({_num(float(found['factor']) * k)} * {found['budget']})"


def variants(alert: ShippedAlert) -> Iterator[Variant]:
    """The `for`, `keep_firing_for` and threshold (or burn-factor) variants of `alert`."""
    fors = ([timedelta(0), alert.for_ / 2, alert.for_ * 2] if alert.for_
            else [timedelta(minutes=2), timedelta(minutes=5)])
    for f in fors:
        yield Variant(f"for {format_duration(f)}", for_=f)
    if not alert.keep_firing_for:
        # Flapping (a noisy short window at night) re-fires; Prometheus can hold the alert.
        yield Variant(f"keep_firing_for {format_duration(KEEP_FIRING_FOR)}",
                      keep_firing_for=KEEP_FIRING_FOR)
    if alert.approach == SLO_APPROACH:
        for k in BURN_FACTORS:
            expr = _BURN_LIMIT.sub(functools.partial(_scaled_limit, k=k), alert.expr)
            if expr != alert.expr:
                yield Variant(f"burn factors x{k:g}", expr=expr)
        return
    found = _FINAL_COMPARISON.search(alert.expr)
    if found is None or "\n" in alert.expr.strip():
        return
    for k in THRESHOLD_FACTORS:
        value = _num(float(found["num"]) * k)
        yield Variant(f"threshold {value}",
                      expr=alert.expr[:found.start()] + f"{found['op']} {value}")


@dataclass(frozen=True)
class Hint:
    """A variant that scored better, with its score next to the shipped one per scenario."""

    alert: ShippedAlert
    variant: str
    before: Mapping[str, Score]
    after: Mapping[str, Score]

    @property
    def pooled(self) -> tuple[Score, Score]:
        """Before and after over all scenarios."""
        return sum(self.before.values(), Score()), sum(self.after.values(), Score())


def hints(alert: ShippedAlert, base: Mapping[str, Score],
          tried: Mapping[str, Mapping[str, Score]]) -> list[Hint]:
    """Hints for `alert` from its base score and its variants' scores, both per scenario."""
    pooled = sum(base.values(), Score())
    if pooled.incidents < MIN_INCIDENTS:
        return []
    better = []
    for name, per_scenario in tried.items():
        after = sum(per_scenario.values(), Score())
        if after.f1 is not None and (pooled.f1 is None or after.f1 > pooled.f1 + 1e-9):
            better.append(Hint(alert, name, dict(base), dict(per_scenario)))
    better.sort(key=lambda h: (-(h.pooled[1].f1 or 0), h.variant))
    return better[:MAX_HINTS]


def all_hints(alerts: Sequence[ShippedAlert], base: Mapping[str, Mapping[str, Score]],
              tried: Mapping[str, Mapping[str, Mapping[str, Score]]]) -> list[Hint]:
    """Hints for every alert; `base[key][scenario]`, `tried[key][variant][scenario]`."""
    return [h for a in alerts for h in hints(a, base.get(a.key, {}), tried.get(a.key, {}))]
