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

Tiles: the SLO window read every slow-group interval. A 30d window's older part read as above
is 86,390 samples of each 5m rate (at s = 30s) every time the slow group runs. With a slow
group every S = q*s (4m = 8 steps by default), that group first records per SLO one tile of
each 5m rate: the average of the q samples in the S that ends at the seam,

    tile(t) = avg_over_time(E5[S - 1ms] offset a*s)

(`slo:sli_error:avg4m_rate5m`, likewise for T5). Consecutive tiles, S apart, cover
consecutive runs of q samples whatever the phase between the groups, and the tile at t is
recorded before the window's rule reads it at the same t. The older part is then the average
of the J tiles in the same range R as above, J = ceil((W - b) / S) (10,799 for 30d: 21,598
samples read per SLO instead of 172,780):

    (E5 + w * avg_over_time(tile_E[R])) / (T5 + w * avg_over_time(tile_T[R]))

Error bound. The tiles cover J*q samples where the exact older part has m: they reach
d = J*S - (W - b) further back, 0 <= d < S (1m for 30d at 30s and 4m), and the weight w
scales their average back to W - b. On traffic of a constant rate over that stretch the result
is exact. Otherwise, with T_d the events in the extra d at the old edge, rho_d their error
ratio and rho_W the exact window's, the difference from the exact ratio over W is

    |error| <= (T_d * |rho_d - rho_W| + (d / (W - b)) * T_5m * |rho_5m - rho_older|) / T_c

(T_5m, rho_5m: the newest 5m; rho_older: the rest of the window; T_c: the window's events as
the formula counts them, T_W give or take the same share), so at most the share of the
window's events in those d minutes (d / W at steady traffic: 2.3e-5 for 1m of 30d) times how
far their error ratio is from the window's. The derivation: the formula weighs the newest 5m
with T_5m, the older part with (W - b) / (W - b + d) times its events and the extra d with
the same factor times T_d; against the exact weights that moves T_d onto rho_d and a d / (W - b)
share of the older part's weight onto the newest 5m. tests/targets/test_window_tiles.py replays
Prometheus' schedule at several phases between the groups and checks the bound on a burn at
the window's old edge. SLIs averaged sample by sample (step None) average the tiles of the
values over the window itself, J = ceil(W / S): exact where S divides W (30d at 4m).

A window's rules read the tiles from the day their group started: until it has run for one
window (or its tiles are backfilled, e.g. with `promtool tsdb create-blocks-from rules`), the
tiles it has stand for the whole older part, as a new SLO's first days do. Where the slow
group runs at the global interval (promtool's unit tests evaluate every group at every step),
each tile holds the one 5m rate at t - 5m and the formula reads exactly the samples of the
formula above; tiles are only used where that holds (S > b - a*s: not for steps under 20s,
whose 2m tiles miss the 5m grid).

The step s is the configured evaluation interval; where samples are further apart (the promtool
proofs evaluate every 5m = b) the same range and offset pick the 5m rates at t - 5m, t - 10m,
..., which tile the older part exactly. The generated promtool tests check the equality with
the raw queries on piecewise-linear counters, and tests/targets/test_window_lag.py the firing
times against raw-counter rules.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from functools import lru_cache

from generator.core import naming
from generator.core.model import Slo
from generator.core.promql import dur, num

BASE = naming.SLO_BASE_WINDOW
RANGE_TRIM = timedelta(milliseconds=1)
# The recorded 5m rates every derived window reads.
_ERRORS, _TOTAL = naming.errors_record(BASE), naming.total_record(BASE)


def recorded_windows(slo: Slo, inline: bool) -> list[timedelta]:
    """Windows whose error ratio is recorded: the base, every burn window from the base up, the
    current-burn window and the SLO window; with `inline`, none (budget remaining is recorded
    from the SLO window's expression, `slo_window_ratio` reads the ratio back from it). A window
    shorter than the base reads the newest 5m rates, and is not worth a series."""
    if inline:
        return []
    found = {BASE, naming.SLO_CURRENT_BURN_WINDOW, slo.window}
    for w in slo.burn_windows:
        found |= {w.long, w.short}
    return sorted(w for w in found if BASE <= w <= slo.window)


@lru_cache(maxsize=1024)  # a few windows and steps, asked for by every SLO's rules
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
    errors, total = _ERRORS, _TOTAL
    if window <= BASE:
        return f"{errors}{sel} / {total}{sel}"
    if step is None:
        w = dur(window - RANGE_TRIM)
        return f"avg_over_time({errors}{sel}[{w}]) / avg_over_time({total}{sel}[{w}])"
    return f"({_seamed(errors, sel, window, step)}) / ({_seamed(total, sel, window, step)})"


def _seamed(record: str, sel: str, window: timedelta, step: timedelta) -> str:
    """The 5m rate at t plus the older part's average, weighted by its share of `window`, in
    units of 5m rates; the newest 5m alone where the older part has no samples yet."""
    span, offset, weight = _seam(window, step)
    newest = f"{record}{sel}"
    older = f"avg_over_time({record}{sel}[{span}] offset {offset})"
    return f"({newest} + {weight} * {older}) or {newest}"


@lru_cache(maxsize=1024)
def _seam(window: timedelta, step: timedelta) -> tuple[str, str, str]:
    """The older part's range and offset (`older_part`) and its weight, as PromQL writes them."""
    span, offset = older_part(window, step)
    return dur(span), dur(offset), num((window - BASE) / BASE)


def tiles_fit(step: timedelta | None, slow: timedelta | None) -> bool:
    """Whether the SLO window can average tiles of a slow group every `slow` (module docstring:
    each tile must hold the one 5m rate at t - 5m where samples are 5m apart)."""
    if slow is None:
        return False
    if step is None:
        return slow < BASE
    _, offset = older_part(BASE + step, step)
    return BASE - slow < offset <= BASE and slow >= 2 * step


def tile_expr(record: str, sel: str, step: timedelta | None, slow: timedelta) -> str:
    """One tile of the recorded 5m series `record`: its average over the `slow` interval that
    ends at the seam of the windows (the 5m rates' newest sample older than the newest 5m)."""
    span = f"{record}{sel}[{dur(slow - RANGE_TRIM)}]"
    if step is None:
        return f"avg_over_time({span})"
    _, offset = older_part(BASE + step, step)
    return f"avg_over_time({span} offset {dur(offset)})"


def tiled_ratio(window: timedelta, sel: str, step: timedelta | None, slow: timedelta) -> str:
    """The error ratio over `window` as `derived_ratio` gives it, its older part read from the
    tiles a slow group every `slow` records (the module docstring has the maths and the error
    bound)."""
    errors, total = _ERRORS, _TOTAL
    tile_e, tile_t = naming.tile_records(BASE, slow)
    if step is None:
        w = dur(window - RANGE_TRIM)
        return f"avg_over_time({tile_e}{sel}[{w}]) / avg_over_time({tile_t}{sel}[{w}])"
    span, _ = older_part(window, step)
    weight = num((window - BASE) / BASE)
    parts = [f"(({rec}{sel} + {weight} * avg_over_time({tile}{sel}[{dur(span)}])) or {rec}{sel})"
             for rec, tile in ((errors, tile_e), (total, tile_t))]
    return " / ".join(parts)


def window_ratio(window: timedelta, sel: str, recorded: Collection[timedelta],
                 step: timedelta | None) -> str:
    """Error ratio over `window`: the recorded series when `window` is in `recorded`, else the
    derived expression in parentheses, safe to divide or compare."""
    if window in recorded:
        return f"{naming.error_ratio_record(window)}{sel}"
    return f"({derived_ratio(window, sel, step)})"


def slo_window_ratio(slo: Slo, sel: str, inline: bool) -> str:
    """Error ratio over the SLO window of `slo`: the recorded series, or with `inline` (no
    ratio series; budget remaining is `1 - ratio / budget`) read back from budget remaining,
    in parentheses. A number, not a join: panels that share a query share the budget."""
    if not inline:
        return f"{naming.error_ratio_record(slo.window)}{sel}"
    return f"((1 - {naming.SLO_BUDGET_REMAINING}{sel}) * {num(slo.error_budget)})"


def sustained_ratio(window: timedelta, sel: str) -> str:
    """Error ratio that a burn must have held over at least half of `window` to reach: the
    median of the 5m bad-event rates over `window` divided by the median of the 5m all-event
    rates (`window` longer than the base).

    The short window of a slower burn-rate pair is there to tell that the burn is still going
    on, but its mean cannot tell a sustained burn from a spike: one minute of full errors lifts
    a 30m mean by over 3%, 33 times a 99.9% budget. A spike of a minute or two moves the 5m
    rates for a few minutes only, fewer than half of the window's, so it does not move their
    median; a burn that has lasted half the window has moved it as far as the burn itself. On
    a steady burn of ratio p the bad-event rate is p times the all-event rate, and so is its
    median, however the traffic changes: there the sustained ratio equals the mean ratio. It
    reads the two recorded 5m series over `window`, as the mean does (quantile_over_time sorts
    what avg_over_time sums); where traffic has stopped for more than half of the window (zero
    all-event rates) it is 0/0, and the condition does not hold."""
    w = dur(window - RANGE_TRIM)
    errors, total = _ERRORS, _TOTAL
    return (f"(quantile_over_time(0.5, {errors}{sel}[{w}]) / "
            f"quantile_over_time(0.5, {total}{sel}[{w}]))")
