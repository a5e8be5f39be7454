"""Error ratio over any window from the two recorded 5m rates: the one formula that the alert
expressions, the recording rules and the dashboard panels share.

Only two rules per SLO read the raw SLI series: the bad-event and all-event rates over 5m
(`slo:sli_error:rate5m`, `slo:sli_total:rate5m`). Every longer window is derived from those two
recorded series, so a 3d window reads one recorded series instead of every raw series' samples
over days.

A window W is split in two at t - b (b = 5m, the base window):

- the newest b is the recorded 5m rate at t itself: exactly what a rule reading the raw
  counters over W sees at that edge, so a burn that starts now moves the ratio now;
- the older W - b is the average of the recorded 5m rates over that stretch.

The maths of the older part. Let the group evaluate every `s` seconds and b = k*s. The rule
records, at each evaluation time t_i, r(t_i) = (E(t_i) - E(t_i - b)) / b for the bad-event
counter E (and likewise for the total counter T). The sum of m consecutive samples times s
telescopes (every E(t_j) inside appears once with + and once with -), leaving

    s * sum_i r(t_i) = mean of E over the newest k sample times - mean of E over the oldest k

The two means stand for E at the middle of their k samples, which sit m*s apart: on a counter
growing linearly the sum is exactly the increase over m*s = W - b, on changing traffic the hard
edges of a raw range become ramps b wide centred on the same points. The newest sample taken
is a*s before t with a = floor((k + 1) / 2), which puts the middle of the newest k samples on
t - b (for k = 10: t - 4m45s, a quarter step inside the newest part), so the ramp is centred
on the seam and the two parts tile W.

Dividing everything by b, the error ratio over W is

    (E5 + w * avg_over_time(E5[R] offset a*s)) / (T5 + w * avg_over_time(T5[R] offset a*s))

with E5, T5 the recorded 5m rates, w = (W - b) / b and R one millisecond short of m*s, so that
the range holds m samples in Prometheus 2 (ranges closed at both ends) and in Prometheus 3
(open on the left). It is traffic weighted: averaging 5m *ratios* instead would give a quiet
night's minute the weight of a busy afternoon's.

Why not a plain average over the whole window: its newest edge is a ramp too, centred b/2
before t, so every window lagged `rate(E[W])` by about 2.5 minutes and burn-rate alerts fired
2-2.5 minutes after rules that read the raw counters. Why not 5m rates that tile W end to end
(t, t - 5m, t - 10m, ...): each tile's raw rate extrapolates its own samples, so at a 1m scrape
a 1-2 minute blip counts 1.25 times or not at all depending on where it lands, and short
windows built that way paged on blips that raw-counter rules ignore. The smooth average has
neither problem; only the newest 5m carries a raw rate's edge, as the raw window does.

Where the older part has no samples yet (a new SLO, a gap longer than the window), the ratio
falls back to the newest 5m. Where it has some (the first days of a 3d window) their average
stands for the whole older part, so the newest 5m weighs a little less than it would in a raw
range over the same data.

The step s is the configured evaluation interval; where samples are further apart (the promtool
proofs evaluate every 5m = b) the same range and offset pick the 5m rates at t - 5m, t - 10m,
..., which tile the older part exactly. The generated promtool tests check the equality with
the raw queries on piecewise-linear counters, and tests/targets/test_window_lag.py the firing
times against raw-counter rules.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from generator.core import naming
from generator.core.model import Slo
from generator.core.promql import dur, num

BASE = naming.SLO_BASE_WINDOW
RANGE_TRIM = timedelta(milliseconds=1)


def recorded_windows(slo: Slo, inline: bool) -> list[timedelta]:
    """Windows whose error ratio is recorded: the base, every burn window from the base up, the
    current-burn window and the SLO window; with `inline`, the SLO window only. A window
    shorter than the base reads the newest 5m rates, and is not worth a series."""
    if inline:
        return [slo.window]
    found = {BASE, naming.SLO_CURRENT_BURN_WINDOW, slo.window}
    for w in slo.burn_windows:
        found |= {w.long, w.short}
    return sorted(w for w in found if BASE <= w <= slo.window)


def older_part(window: timedelta, step: timedelta) -> tuple[timedelta, timedelta]:
    """Range and offset of the average over 5m rates recorded every `step` that covers the
    part of `window` older than the newest 5m (the module docstring has the maths)."""
    k = max(1, int(BASE / step)) if step < BASE else 1
    newest = step * ((k + 1) // 2) if step < BASE else step
    samples = max(1, round((window - BASE) / min(step, BASE)))
    return min(step, BASE) * samples - RANGE_TRIM, newest


def derived_ratio(window: timedelta, sel: str, step: timedelta | None) -> str:
    """Traffic-weighted error ratio over `window` from the 5m rates, recorded every `step`, of
    the SLOs that the label selector `sel` (`{...}` or empty for all) picks. With `step` None
    (raw ratios, time slices: values averaged sample by sample, not rates) every sample of the
    window counts once."""
    errors, total = naming.errors_record(BASE), naming.total_record(BASE)
    if window <= BASE:
        return f"{errors}{sel} / {total}{sel}"
    if step is None:
        w = dur(window - RANGE_TRIM)
        return f"avg_over_time({errors}{sel}[{w}]) / avg_over_time({total}{sel}[{w}])"
    return f"({_seamed(errors, sel, window, step)}) / ({_seamed(total, sel, window, step)})"


def _seamed(record: str, sel: str, window: timedelta, step: timedelta) -> str:
    """The 5m rate at t plus the older part's average, weighted by its share of `window`, in
    units of 5m rates; the newest 5m alone where the older part has no samples yet."""
    span, offset = older_part(window, step)
    weight = num((window - BASE) / BASE)
    newest = f"{record}{sel}"
    older = f"avg_over_time({record}{sel}[{dur(span)}] offset {dur(offset)})"
    return f"({newest} + {weight} * {older}) or {newest}"


def window_ratio(window: timedelta, sel: str, recorded: Collection[timedelta],
                 step: timedelta | None) -> str:
    """Error ratio over `window`: the recorded series when `window` is in `recorded`, else the
    derived expression in parentheses, safe to divide or compare."""
    if window in recorded:
        return f"{naming.error_ratio_record(window)}{sel}"
    return f"({derived_ratio(window, sel, step)})"
