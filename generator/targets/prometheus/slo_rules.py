"""SLO recording rules and multiwindow multi-burn-rate alerts.

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

from collections.abc import Iterable
from datetime import timedelta

from generator import naming
from generator.model import BurnWindow, Service, Slo
from generator.targets.prometheus.promql import dur, num, selector
from generator.targets.prometheus.rules import Rule, alert, alert_annotations, alert_labels, record

BASE = naming.SLO_BASE_WINDOW
RANGE_TRIM = timedelta(milliseconds=1)
# Windows from a day up move a fraction of a percent between evaluations but read the most
# samples (a 30d window is 86,400 samples per series at 30s): they go to a group evaluated four
# times less often, which cuts the SLO rules' cost about fourfold at a few minutes' delay on
# ticket alerts and budget panels.
SLOW_FROM = timedelta(days=1)
SLOW_FACTOR = 4
SLOW_MAX = timedelta(minutes=4)  # stay inside the 5m lookback, or the series would go missing
LEVELS = ("page", "ticket")


def slo_labels(slo: Slo, service: Service) -> dict[str, str]:
    """Labels every recorded series of an SLO carries; `slo_id` alone identifies it."""
    return {naming.LABEL_SLO_ID: slo.id, naming.LABEL_SLO: slo.name,
            naming.LABEL_SERVICE: service.name, naming.LABEL_TEAM: service.team}


def recorded_windows(slo: Slo, inline: bool) -> list[timedelta]:
    """Windows whose error ratio is recorded: the base, every burn window, the current-burn
    window and the SLO window; with `inline`, the SLO window only."""
    if inline:
        return [slo.window]
    found = {BASE, naming.SLO_CURRENT_BURN_WINDOW, slo.window}
    for w in slo.burn_windows:
        found |= {w.long, w.short}
    return sorted(w for w in found if w <= slo.window)


def ratio(slo: Slo, window: timedelta, inline: bool) -> str:
    """Error ratio over `window`: the recorded series, or the expression that records it."""
    sel = selector({naming.LABEL_SLO_ID: slo.id})
    if not inline and window in recorded_windows(slo, inline):
        return f"{naming.error_ratio_record(window)}{sel}"
    return f"({_derive(slo, window)})"


def slo_rules(slo: Slo, service: Service, inline: bool) -> list[Rule]:
    """Recording rules and burn-rate alerts of one SLO, in evaluation order."""
    fast, slow = slo_rule_sets(slo, service, inline)
    return [*fast, *slow]


def slo_rule_sets(slo: Slo, service: Service, inline: bool) -> tuple[list[Rule], list[Rule]]:
    """The SLO's rules split by how often they need evaluating: the base rates, windows shorter
    than a day and the alerts every evaluation; windows of a day or more, the budget and the
    metadata in a slower group (see SLOW_FROM)."""
    fast, slow = _recordings(slo, service, inline)
    return [*fast, *_burn_alerts(slo, service, inline)], slow


def _recordings(slo: Slo, service: Service, inline: bool) -> tuple[list[Rule], list[Rule]]:
    labels = slo_labels(slo, service)
    sel = selector({naming.LABEL_SLO_ID: slo.id})
    budget = num(slo.error_budget)
    rules = [
        record(naming.errors_record(BASE), slo.sli.errors(dur(BASE)), labels),
        record(naming.total_record(BASE), slo.sli.total(dur(BASE)), labels),
    ]
    # Computed from the base series directly (not from other recorded ratios), so the rule order
    # inside the group is the only dependency.
    # Derived rules repeat the slo_id label they inherit: promtool rejects two rules with the same
    # name and the same static labels as duplicates.
    own = {naming.LABEL_SLO_ID: slo.id}
    windows = recorded_windows(slo, inline)
    rules += [record(naming.error_ratio_record(w), _derive(slo, w), own)
              for w in windows if w < SLOW_FROM]
    if not inline:
        current = naming.SLO_CURRENT_BURN_WINDOW
        rules.append(record(naming.burn_rate_record(current),
                            f"{naming.error_ratio_record(current)}{sel} / {budget}", own))
    slow = [record(naming.error_ratio_record(w), _derive(slo, w), own)
            for w in windows if w >= SLOW_FROM]
    slow.append(record(naming.SLO_BUDGET_REMAINING,
                       f"1 - {naming.error_ratio_record(slo.window)}{sel} / {budget}", own))
    meta = {**slo.labels, **labels, naming.LABEL_WINDOW: dur(slo.window)}
    slow.append(record(naming.SLO_OBJECTIVE, f"vector({num(slo.target)})", meta))
    slow.append(record(naming.SLO_ERROR_BUDGET, f"vector({budget})", meta))
    return rules, slow


def _derive(slo: Slo, window: timedelta) -> str:
    sel = selector({naming.LABEL_SLO_ID: slo.id})
    errors, total = naming.errors_record(BASE), naming.total_record(BASE)
    if window == BASE:
        return f"{errors}{sel} / {total}{sel}"
    w = dur(window - RANGE_TRIM)
    return f"avg_over_time({errors}{sel}[{w}]) / avg_over_time({total}{sel}[{w}])"


def level_windows(slo: Slo, level: str) -> list[BurnWindow]:
    """The burn windows of one alert level (page or ticket)."""
    return [w for w in slo.burn_windows if w.level == level]


def burn_expr(slo: Slo, windows: Iterable[BurnWindow], inline: bool) -> str:
    """Fires when, for any window pair, both the long and short windows burn faster than the
    pair's factor (Google SRE workbook, chapter 5). The value is the long window's ratio."""
    budget = num(slo.error_budget)
    parts = []
    for w in windows:
        limit = f"({num(w.factor)} * {budget})"
        parts.append(f"({ratio(slo, w.long, inline)} > {limit}"
                     f" and {ratio(slo, w.short, inline)} > {limit})")
    return "\n or ".join(parts) if len(parts) > 1 else parts[0].removeprefix("(").removesuffix(")")


def _burn_alerts(slo: Slo, service: Service, inline: bool) -> list[Rule]:
    rules = []
    for level in LEVELS:
        windows = level_windows(slo, level)
        if not windows:
            continue
        pairs = ", ".join(f"{num(w.factor)}x over {dur(w.long)} and {dur(w.short)}"
                          for w in windows)
        labels = {**slo.labels, **slo.alert_labels, **slo_labels(slo, service)}
        summary = (f"{service.name} {slo.name}: error budget burning too fast "
                   f"({'page' if level == 'page' else 'ticket'})")
        description = (f"{slo.description + ' ' if slo.description else ''}Error ratio "
                       "{{ $value | humanizePercentage }} over the long window burns the budget "
                       f"of {num(slo.objective)}% over {dur(slo.window)} too fast "
                       f"(burn-rate limits: {pairs}).")
        runbook = f"{service.runbook}#{slo.name}" if service.runbook else None
        rules.append(alert(
            slo.alert_name, burn_expr(slo, windows, inline), windows[0].for_,
            alert_labels(service, windows[0].severity, labels),
            alert_annotations(service, summary, description, runbook, slo.annotations)))
    return rules
