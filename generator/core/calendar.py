"""Calendar-aligned SLO windows: the error ratio since the current period began.

PromQL ranges have fixed lengths, so "since Monday 00:00" cannot be a range. It can be a
weighted sum: over a range one period long, a subquery stepping by 5m (slogen's recorded
blocks) sums the block values x(t) weighted by 1, p(t) and p(t)^2, where p(t) numbers the
period holding t (`time()` inside a subquery is the step's time). The range holds at most the
periods P-2, P-1 and the current P, and the polynomial (p - P + 1)(p - P + 2) / 2 is 1 on P
and 0 on the other two, so

    sum since period start = (S2 - (2P - 3) S1 + (P - 1)(P - 2) S0) / 2

with S0, S1, S2 the three weighted sums and P the period of the evaluation time. Periods are
counted from the calendar's start, so the squares stay small and the sums exact in float64.

A period of 7d is 2,016 blocks per evaluation; 14d already passes promtool's unit-test limit
of 10,000 samples in memory, which is why periods stop at 7d and months are not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from generator.core.durations import format_duration as dur

BLOCK = timedelta(minutes=5)
# A block ending exactly on a period start belongs to the period before: look 1ms back.
_NOW = "time() - 0.001"


@dataclass(frozen=True)
class Calendar:
    """Budget periods of a fixed length, counted from `start`."""

    start: datetime
    length: timedelta

    def period_index(self) -> str:
        """PromQL scalar numbering the period that holds `time()`."""
        origin = int(self.start.astimezone(UTC).timestamp())
        length = int(self.length.total_seconds())
        return f"scalar(floor(vector(({_NOW} - {origin}) / {length})))"


def period_sum(series: str, calendar: Calendar) -> str:
    """Sum of the 5m block values of `series` since the current period began."""
    p = calendar.period_index()
    sub = f"[{dur(calendar.length)}:{dur(BLOCK)}]"
    s0 = f"sum_over_time(({series}){sub})"
    s1 = f"sum_over_time(({series} * {p}){sub})"
    s2 = f"sum_over_time(({series} * {p} ^ 2){sub})"
    return f"(({s2} - (2 * {p} - 3) * {s1} + ({p} - 1) * ({p} - 2) * {s0}) / 2)"


def period_ratio(errors: str, total: str, calendar: Calendar) -> str:
    """Error ratio since the current period began, from recorded 5m errors and totals."""
    return f"{period_sum(errors, calendar)} / {period_sum(total, calendar)}"


def describe(calendar: Calendar) -> str:
    """Words for docs and descriptions."""
    return (f"periods of {dur(calendar.length)} from "
            f"{calendar.start.astimezone(UTC).strftime('%Y-%m-%d %H:%M')} UTC")
