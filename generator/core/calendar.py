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
of 10,000 samples in memory, which is why fixed periods stop at 7d. Calendar months (UTC, as
PromQL's month() and year() count) take two steps instead: a recorded hourly sum of the 5m
blocks (`hourly_sum`), summed the same way over 31 days of aligned hours (744 points, and a
31-day range holds at most three months), plus the blocks of the current hour (the same sum
over one-hour periods).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from generator.core.durations import format_duration as dur

BLOCK = timedelta(minutes=5)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A block ending exactly on a period start belongs to the period before: look 1s back
# (whole seconds: month() and year() drop fractions of a second).
# (The evaluation time itself is in the period it starts.)
_NOW = "time() - 1"


HOUR = timedelta(hours=1)
MONTH_REACH = timedelta(days=31)
_MONTH_ORIGIN_YEAR = 2000
HOURLY_ERRORS = "slo:sli_error:blocks1h"
HOURLY_TOTAL = "slo:sli_total:blocks1h"


@dataclass(frozen=True)
class Calendar:
    """Budget periods: calendar months (UTC), or a fixed length counted from `start`."""

    start: datetime | None = None
    length: timedelta | None = None
    months: bool = False


def _fixed_index(start: datetime, length: timedelta, now: str) -> str:
    origin = int(start.astimezone(UTC).timestamp())
    return f"scalar(floor(vector(({now} - {origin}) / {int(length.total_seconds())})))"


def _month_index(now: str) -> str:
    return (f"scalar((year(vector({now})) - {_MONTH_ORIGIN_YEAR}) * 12 "
            f"+ month(vector({now})))")


def _current(series: str, index: Callable[[str], str], reach: timedelta,
             step: timedelta) -> str:
    """Sum of `series` sampled every `step` over `reach`, on the points whose period is the
    evaluation time's: the polynomial in the module docstring. A point is a block ending at
    its time, so its period is the one holding 1ms before; the evaluation time's own."""
    sub = f"[{dur(reach)}:{dur(step)}]"
    inner = index(_NOW)
    s0 = f"sum_over_time(({series}){sub})"
    s1 = f"sum_over_time(({series} * {inner}){sub})"
    s2 = f"sum_over_time(({series} * {inner} ^ 2){sub})"
    p = index("time()")
    return f"(({s2} - (2 * {p} - 3) * {s1} + ({p} - 1) * ({p} - 2) * {s0}) / 2)"


def period_sum(blocks: str, hourly: str, calendar: Calendar) -> str:
    """Sum of the 5m block values since the current period began: `blocks` is the recorded 5m
    series, `hourly` its recorded hourly sum (read for months only)."""
    if calendar.months:
        this_hour = _current(blocks, partial(_fixed_index, EPOCH, HOUR), HOUR, BLOCK)
        return f"({_current(hourly, _month_index, MONTH_REACH, HOUR)} + {this_hour})"
    start, length = calendar.start, calendar.length
    assert start is not None and length is not None
    return _current(blocks, partial(_fixed_index, start, length), length, BLOCK)


def period_ratio(errors: str, total: str, calendar: Calendar, sel: str) -> str:
    """Error ratio since the current period began, from the recorded 5m errors and totals
    (and, for months, their hourly sums selected by `sel`)."""
    return (f"{period_sum(errors, f'{HOURLY_ERRORS}{sel}', calendar)} / "
            f"{period_sum(total, f'{HOURLY_TOTAL}{sel}', calendar)}")


def hourly_sum(series: str) -> str:
    """The twelve 5m blocks of the last hour of a recorded 5m series, added up."""
    return " + ".join(f"{series} offset {dur(BLOCK * k)}" if k else series for k in range(12))


def describe(calendar: Calendar) -> str:
    """Words for docs and descriptions."""
    if calendar.months:
        return "calendar months (UTC)"
    assert calendar.start is not None and calendar.length is not None
    return (f"periods of {dur(calendar.length)} from "
            f"{calendar.start.astimezone(UTC).strftime('%Y-%m-%d %H:%M')} UTC")
