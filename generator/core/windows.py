"""Error ratio over any window from the two recorded 5m rates: the one formula that the alert
expressions, the recording rules and the dashboard panels share.

Only two rules per SLO read the raw SLI series: the bad-event and all-event rates over 5m
(`slo:sli_error:rate5m`, `slo:sli_total:rate5m`). Every longer window is derived from those two
recorded series, so a 3d or 30d window reads one sample per evaluation instead of every raw
series' samples over days.

The maths. Let the group evaluate every `s` seconds and the base window be `b = k*s` (5m).
The base rules record, at each evaluation time t_i, r_e(t_i) = (E(t_i) - E(t_i - b)) / b for the
bad-event counter E (and r_t likewise for the total counter T). Over a window W = n*s ending at t,
averaging the n recorded samples t_i = t - i*s, i = 0..n-1, gives

    (1/n) * sum_i (E(t - i*s) - E(t - i*s - k*s)) / b

The sum telescopes: every term E(t - j*s) with k <= j < n appears once with + and once with -,
leaving the k newest samples minus the k samples ending at t - W; with n*b = k*W:

    = (mean of E over (t - b, t]  -  mean of E over (t - W - b, t - W]) / W

which is the increase of E over W with both ends averaged over one base window, divided by W:
the rate over W. The same holds for T, and the error ratio over W is therefore

    avg_over_time(slo:sli_error:rate5m[W]) / avg_over_time(slo:sli_total:rate5m[W])

exactly the raw `rate(E[W]) / rate(T[W])` whenever the counters grow linearly within the base
window at both ends, and off by at most one base window's change otherwise. It is traffic
weighted: averaging the 5m *ratios* instead would give a quiet night's minute the weight of a
busy afternoon's. The generated promtool tests check the equality on piecewise-linear counters.

The ranges are written one millisecond short of W: Prometheus 2 ranges include both ends, so a
full `[W]` would average n + 1 samples and count one base window twice (Prometheus 3 ranges are
open on the left; the shortened range selects the same n samples in both).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from generator.core import naming
from generator.core.model import Slo
from generator.core.promql import dur

BASE = naming.SLO_BASE_WINDOW
RANGE_TRIM = timedelta(milliseconds=1)


def recorded_windows(slo: Slo, inline: bool) -> list[timedelta]:
    """Windows whose error ratio is recorded: the base, every burn window, the current-burn
    window and the SLO window; with `inline`, the SLO window only."""
    if inline:
        return [slo.window]
    found = {BASE, naming.SLO_CURRENT_BURN_WINDOW, slo.window}
    for w in slo.burn_windows:
        found |= {w.long, w.short}
    return sorted(w for w in found if w <= slo.window)


def derived_ratio(window: timedelta, sel: str) -> str:
    """Traffic-weighted error ratio over `window` from the recorded 5m rates of the SLOs that
    the label selector `sel` (`{...}` or empty for all) picks."""
    errors, total = naming.errors_record(BASE), naming.total_record(BASE)
    if window == BASE:
        return f"{errors}{sel} / {total}{sel}"
    w = dur(window - RANGE_TRIM)
    return f"avg_over_time({errors}{sel}[{w}]) / avg_over_time({total}{sel}[{w}])"


def window_ratio(window: timedelta, sel: str, recorded: Collection[timedelta]) -> str:
    """Error ratio over `window`: the recorded series when `window` is in `recorded`, else the
    derived expression in parentheses, safe to divide or compare."""
    if window in recorded:
        return f"{naming.error_ratio_record(window)}{sel}"
    return f"({derived_ratio(window, sel)})"
