"""Error ratio over any window from the two recorded 5m rates: the one formula that the alert
expressions, the recording rules and the dashboard panels share.

Only two rules per SLO read the raw SLI series: the bad-event and all-event rates over 5m
(`slo:sli_error:rate5m`, `slo:sli_total:rate5m`). Every longer window is derived from those two
recorded series, so a 3d or 30d window reads one sample per evaluation instead of every raw
series' samples over days.

The maths. Let the group evaluate every `s` seconds and the base window be `b = k*s` (5m).
The base rules record, at each evaluation time t_i, r_e(t_i) = (E(t_i) - E(t_i - b)) / b for the
bad-event counter E (and r_t likewise for the total counter T). Each recorded rate already spans
b, so a window W ending at t is covered by the m = (W - b)/s + 1 newest samples t_i = t - i*s,
i = 0..m-1: the oldest of them reaches back to t - (m - 1)*s - b = t - W. Their average

    (1/m) * sum_i (E(t - i*s) - E(t - i*s - k*s)) / b

telescopes (every term E(t - j*s) with k <= j < m appears once with + and once with -),
leaving the k newest samples minus the k oldest ones:

    = (mean of E over (t - b, t]  -  mean of E over (t - W, t - W + b]) / (m*s)

The two means sit m*s apart, so on a counter growing linearly this is exactly its rate, the
raw `rate(E[W])`; every sample it reads lies inside (t - W, t], the window's nominal span. On
changing traffic the weights of the raw range's hard edges become ramps over the first and last
base window, centred on the same point, so a change moves the ratio around the time the raw
ratio moves. (Averaging over the full W instead reaches back to t - W - b: every window lagged
`rate(E[W])` by b/2, and burn-rate alerts fired and cleared 2-2.5 minutes after rules that
compute the windows from raw counters.) The same holds for T, and the error ratio over W is

    avg_over_time(slo:sli_error:rate5m[R]) / avg_over_time(slo:sli_total:rate5m[R])

with R = W - b + s (below).

Windows up to an hour (the page alert's 1h and 30m) are exact instead: the 5m rates at t,
t - 5m, t - 10m, ... tile the window end to end, and their sum telescopes to E(t) - E(t - W)
whatever the traffic does (12 one-sample lookups for 1h, cheaper than the average). So the page
alert's 1h/5m condition fires exactly when raw-counter rules' does; with the ramps alone it
fired a minute early on a 20x burn. Longer windows keep the average: 288 terms for a day would
cost more than they save.

It is traffic weighted: averaging the 5m *ratios* instead would give a quiet night's minute the
weight of a busy afternoon's. The generated promtool tests check the equality with the raw
queries on piecewise-linear counters, and tests/targets/test_window_lag.py the firing times
against raw-counter rules.

The range is W - b + s, one millisecond short: it holds the m + 1 samples at t - i*s for
i = 0..(W - b)/s (m = (W - b)/s + 1 above, counting both ends), in Prometheus 2, whose ranges
include both ends, and in Prometheus 3, whose ranges are open on the left. The step s is the
configured evaluation interval; where samples are further apart (the promtool proofs evaluate
every 5m = b) the same range holds W/b samples, which is the exact form for s = b.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from generator.core import naming
from generator.core.model import Slo
from generator.core.promql import dur

BASE = naming.SLO_BASE_WINDOW
RANGE_TRIM = timedelta(milliseconds=1)
# Windows up to this span are summed from 5m rates that tile them (12 terms for 1h): exact.
EXACT_MAX = timedelta(hours=1)


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


def average_range(window: timedelta, step: timedelta) -> timedelta:
    """The avg_over_time range over 5m rates recorded every `step` that spans exactly `window`."""
    return window - BASE + min(step, BASE) - RANGE_TRIM


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
    w = dur(average_range(window, step))
    average = f"avg_over_time({errors}{sel}[{w}]) / avg_over_time({total}{sel}[{w}])"
    if window > EXACT_MAX or window % BASE:
        return average
    exact = f"({_chunks(errors, sel, window)}) / ({_chunks(total, sel, window)})"
    # Where a 5m rate is missing (a new SLO, a gap in evaluation), the average still answers.
    return f"({exact}) or ({average})"


def _chunks(record: str, sel: str, window: timedelta) -> str:
    """The 5m rates that tile `window` end to end: their sum telescopes to the exact increase."""
    return " + ".join(f"{record}{sel}" + (f" offset {dur(BASE * j)}" if j else "")
                      for j in range(window // BASE))


def window_ratio(window: timedelta, sel: str, recorded: Collection[timedelta],
                 step: timedelta | None) -> str:
    """Error ratio over `window`: the recorded series when `window` is in `recorded`, else the
    derived expression in parentheses, safe to divide or compare."""
    if window in recorded:
        return f"{naming.error_ratio_record(window)}{sel}"
    return f"({derived_ratio(window, sel, step)})"
