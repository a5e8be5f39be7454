"""SLO recording rules and multiwindow multi-burn-rate alerts.

Every window is derived from the two recorded 5m rates; `windows.py` explains the maths and
holds the one formula that alerts and dashboards share.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta

from generator.core import naming
from generator.core.calendar import HOURLY_ERRORS, HOURLY_TOTAL, hourly_sum, period_ratio
from generator.core.groups import group_labels
from generator.core.model import BurnWindow, Service, Slo
from generator.core.promql import dur, num, selector, set_selector
from generator.core.windows import (
    BASE,
    derived_ratio,
    recorded_windows,
    sustained_ratio,
    tile_expr,
    tiled_ratio,
    tiles_fit,
    window_ratio,
)
from generator.targets.prometheus.rules import (
    Rule,
    alert,
    alert_annotations,
    alert_labels,
    exported,
    record,
)

# Windows from a day up move a fraction of a percent between evaluations but read the most
# samples (a 30d window is 86,400 samples per series at 30s): they go to a group evaluated as
# seldom as its series allow: every SLOW_MAX (the largest multiple of the evaluation interval
# up to it, at most SLOW_TIMES intervals): with 30 days of history the SLO window was the
# costliest rule left, and at 4m it is read an eighth as often as at 30s, at a few minutes'
# delay on the budget panels. There the SLO window averages tiles of the 5m rates that the
# group records every interval (core/windows.py), an eighth of the samples again.
SLOW_FROM = timedelta(days=1)
SLOW_MAX = timedelta(minutes=4)  # stay inside the 5m lookback, or the series would go missing
SLOW_TIMES = 8
LEVELS = ("page", "ticket")


def slo_labels(slo: Slo, service: Service) -> dict[str, str]:
    """Labels every recorded series of an SLO carries; `slo_id` alone identifies it."""
    return {naming.LABEL_SLO_ID: slo.id, naming.LABEL_SLO: slo.name,
            naming.LABEL_SERVICE: service.name, naming.LABEL_TEAM: service.team}


def slo_rules(slo: Slo, service: Service, inline: bool,
              slow: timedelta | None = None) -> list[Rule]:
    """The SLO's own recording rules and alerts, in evaluation order. Its burn-rate alerts read
    the service's condition rules (`burn_condition_rules`), evaluated between the two."""
    records, alerts, later = slo_rule_sets(slo, service, inline, slow)
    return [*records, *alerts, *later]


def slo_rule_sets(slo: Slo, service: Service, inline: bool,
                  slow: timedelta | None = None) -> tuple[list[Rule], list[Rule], list[Rule]]:
    """The SLO's rules split by when they run: the base rates and windows shorter than a day,
    then (after the service's burn conditions) the alerts, every evaluation; windows of a day
    or more, the budget and the metadata in a slower group (see SLOW_FROM), evaluated every
    `slow` (None: no such group; the SLO window then reads the 5m rates directly)."""
    fast, later = _recordings(slo, service, inline, slow)
    return fast, slo_alerts(slo, service), later


def slo_alerts(slo: Slo, service: Service) -> list[Rule]:
    """The SLO's alerting rules: burn rate by level, then SLI absent (the rule dicts are
    shared while `shared_alerts` is active: read them, do not change them)."""
    if not _ALERTS:
        return [*_burn_alerts(slo, service), *absent_alerts(slo, service)]
    hit = _ALERTS[-1].get(id(slo))
    if hit is None or hit[0] is not slo or hit[1] is not service:
        hit = _ALERTS[-1][id(slo)] = (slo, service, [*_burn_alerts(slo, service),
                                                     *absent_alerts(slo, service)])
    return list(hit[2])


# While `shared_alerts()` is active: id of an SLO -> (the SLO, its service, its alerts). The
# rule file and the unit tests' cases (twice) read each SLO's alerts: built once, not thrice.
_ALERTS: list[dict[int, tuple[Slo, Service, list[Rule]]]] = []


@contextlib.contextmanager
def shared_alerts() -> Iterator[None]:
    """Build each SLO's alerts once inside the block (the SLOs must not change in it)."""
    _ALERTS.append({})
    try:
        yield
    finally:
        _ALERTS.pop()


def forget_alerts(slos: Iterable[Slo]) -> None:
    """Drop the memoized alerts of `slos` (once their files are written)."""
    if _ALERTS:
        for slo in slos:
            _ALERTS[-1].pop(id(slo), None)


def absent_expr(slo: Slo) -> str:
    """True (1, labelled with the slo_id) while the SLO's recorded total series is missing."""
    return f"absent({naming.total_record(BASE)}{selector({naming.LABEL_SLO_ID: slo.id})})"


def absent_alerts(slo: Slo, service: Service) -> list[Rule]:
    """The alert for SLI series that disappeared: the SLO would otherwise have no ratio, no
    budget and no burn-rate alert, and nobody would know."""
    a = slo.absent
    if a is None:
        return []
    labels = {**slo.labels, **slo.alert_labels, **slo_labels(slo, service)}
    summary = f"{service.name} {slo.name}: SLI has no data"
    description = (f"The SLI of {slo.name} returned no series for {dur(a.for_)}: its metrics "
                   "are missing (exporter down, metric or label renamed), so the SLO has no "
                   "error ratio, budget or burn-rate alert.")
    runbook = f"{service.runbook}#{slo.name}" if service.runbook else None
    return [alert(a.name, absent_expr(slo), a.for_, alert_labels(service, a.severity, labels),
                  alert_annotations(service, summary, description, runbook, slo.annotations))]


def _recordings(slo: Slo, service: Service, inline: bool,
                slow_every: timedelta | None) -> tuple[list[Rule], list[Rule]]:
    labels = slo_labels(slo, service)
    # A group label that the SLO's own labels also set (Pyrra-style grouping by service) is kept
    # as exported_<label>: the rules' labels name the owning spec, the copy the group.
    clashing = sorted(set(labels) & set(group_labels(slo)))
    sel = selector({naming.LABEL_SLO_ID: slo.id})
    budget = num(slo.error_budget)
    rules = [
        record(naming.errors_record(BASE), exported(slo.sli.errors(dur(BASE)), clashing), labels),
        record(naming.total_record(BASE), exported(slo.sli.total(dur(BASE)), clashing), labels),
    ]
    # Computed from the base series directly (not from other recorded ratios), so the rule order
    # inside the group is the only dependency.
    # Derived rules repeat the slo_id label they inherit: promtool rejects two rules with the same
    # name and the same static labels as duplicates.
    own = {naming.LABEL_SLO_ID: slo.id}
    if slo.calendar is not None and slo.calendar.months:
        # Calendar months read hourly sums of the 5m blocks (see core/calendar.py).
        rules += [record(HOURLY_ERRORS, hourly_sum(f"{naming.errors_record(BASE)}{sel}"), own),
                  record(HOURLY_TOTAL, hourly_sum(f"{naming.total_record(BASE)}{sel}"), own)]
    windows = recorded_windows(slo, inline)
    rules += [record(naming.error_ratio_record(w), _window_expr(slo, w, sel), own)
              for w in windows if w < SLOW_FROM]
    if not inline:
        current = naming.SLO_CURRENT_BURN_WINDOW
        rules.append(record(naming.burn_rate_record(current),
                            f"{naming.error_ratio_record(current)}{sel} / {budget}", own))
    # The SLO window of a day or more averages tiles its slow group records (core/windows.py).
    tile = slow_every if slo.window >= SLOW_FROM and slo.calendar is None and \
        tiles_fit(slo.step, slow_every) else None
    slow = []
    if tile is not None:
        # Tiles first: the SLO window's rule reads the ones recorded at the same timestamp.
        slow += [record(name, tile_expr(rec, sel, slo.step, tile), own)
                 for name, rec in zip(naming.tile_records(BASE, tile),
                                      (naming.errors_record(BASE), naming.total_record(BASE)),
                                      strict=True)]
    slow += [record(naming.error_ratio_record(w),
                    tiled_ratio(w, sel, slo.step, tile) if tile is not None and w == slo.window
                    else _window_expr(slo, w, sel), own)
             for w in windows if w >= SLOW_FROM]
    # Inline, the SLO window's ratio is no series of its own (one fewer per SLO): budget
    # remaining reads its expression, and readers get the ratio back from it
    # (windows.slo_window_ratio).
    if slo.window in windows:
        ratio = f"{naming.error_ratio_record(slo.window)}{sel}"
    elif tile is not None:
        ratio = f"({tiled_ratio(slo.window, sel, slo.step, tile)})"
    else:
        ratio = f"({_window_expr(slo, slo.window, sel)})"
    slow.append(record(naming.SLO_BUDGET_REMAINING, f"1 - {ratio} / {budget}", own))
    meta = {**slo.labels, **labels, naming.LABEL_WINDOW: dur(slo.window)}
    slow.append(record(naming.SLO_OBJECTIVE, f"vector({num(slo.target)})", meta))
    return rules, slow


def _window_expr(slo: Slo, window: timedelta, sel: str) -> str:
    """The error ratio over `window`; for a calendar SLO, its own window is the ratio since
    the current period began (so are the budget and the panels that read the record)."""
    if slo.calendar is not None and window == slo.window:
        return period_ratio(f"{naming.errors_record(BASE)}{sel}",
                            f"{naming.total_record(BASE)}{sel}", slo.calendar, sel)
    return derived_ratio(window, sel, slo.step)


def level_windows(slo: Slo, level: str) -> list[BurnWindow]:
    """The burn windows of one alert level (page or ticket)."""
    return [w for w in slo.burn_windows if w.level == level]


def burn_expr(slos: list[Slo], windows: Iterable[BurnWindow], inline: bool) -> str:
    """Fires when, for any window pair, both the long and short windows burn faster than the
    pair's factor (Google SRE workbook, chapter 5), for every SLO in `slos` at once (they share
    the windows, budget and layout). The value is the long window's ratio.

    With `sustained` (the default), a short window longer than the 5m base is read as the
    median of its 5m rates (`windows.sustained_ratio`): the burn must have held for half of it,
    so an error spike of a minute or two, hours after an outage that the long window still
    holds, does not page again, and a ticket does not fire for an outage that the page caught.
    A page pair's long window must also have burned more than the budget's ratio over half its
    span: a slow burn starting while the 6h window still holds a morning outage pages once the
    burn itself fills the window, not at once, to resolve when the outage leaves the window
    and page again later. The budget alone (no factor) keeps the gate out of tuning variants
    that scale every `(factor * budget)`."""
    parts = _burn_parts(slos, windows, inline)
    return "\n or ".join(parts) if len(parts) > 1 else parts[0].removeprefix("(").removesuffix(")")


def _burn_parts(slos: list[Slo], windows: Iterable[BurnWindow], inline: bool) -> list[str]:
    """`burn_expr`'s conditions, one per window pair, each in parentheses."""
    slo = slos[0]
    sel = set_selector({}, naming.LABEL_SLO_ID, [s.id for s in slos])
    recorded = () if inline else recorded_windows(slo, inline)
    budget = num(slo.error_budget)
    parts = []
    for w in windows:
        limit = f"({num(w.factor)} * {budget})"
        long = window_ratio(w.long, sel, recorded, slo.step)
        if not (w.sustained and w.short > BASE):
            short = window_ratio(w.short, sel, recorded, slo.step)
            parts.append(f"({long} > {limit} and {short} > {limit})")
            continue
        short = sustained_ratio(w.short, sel)
        # A page pair pages on a burn going on: its long window must have burned the budget
        # over half its span, not hold an outage paged hours ago.
        spread = (f" and {sustained_ratio(w.long, sel)} > {budget}" if w.level == "page"
                  else "")
        parts.append(f"({long} > {limit}{spread} and {short} > {limit})")
    return parts


def burn_condition_rules(service: Service, inline: bool, slos: Sequence[Slo] | None = None,
                         part: int = 0) -> list[tuple[Rule, Slo]]:
    """Recording rules of the burn-rate conditions for all of the service's SLOs at once, one
    per alert level: each SLO's burn-rate alert then reads one series instead of a dozen window
    selectors of its own.

    Per-SLO rules cost Prometheus a query per rule and a series lookup per selector, which
    outweighed the samples they read (at 1,000 SLOs, 8% of Sloth-style rules' samples took 38%
    of their CPU); evaluated together, the selectors are looked up once per level and service.
    SLOs whose windows, budget or layout differ (a shape) get conditions of their own, each
    selecting its SLOs by `slo_id`; the level's rule is their `or`. The shapes' `slo_id` sets
    are disjoint, so `or` is the union of what one rule per shape wrote, and Prometheus
    evaluates the same conditions either way. One rule per record name matters because
    promtool's lint tells rules apart by record name and static labels only, across all groups
    of a file: one rule per shape failed `promtool check rules --lint-fatal`.

    `slos` (default: all of the service's) are those of one rule group; `part` is that group's
    number when a service's SLOs are split over several (`rule_files.slo_parts`, 0: not
    split): each part's rule then carries an empty label of its own (`naming.part_label`),
    which tells promtool the rules apart and Prometheus drops, so the series stay as they
    are. Each rule is listed with the first SLO it covers, for error locations."""
    rules = []
    labels = {naming.part_label(part): ""} if part else {}
    for level in LEVELS:
        shapes: dict[tuple[object, ...], list[Slo]] = {}
        for slo in service.slos if slos is None else slos:
            windows = level_windows(slo, level)
            if windows:
                key = (tuple((w.long, w.short, w.factor, w.sustained) for w in windows),
                       slo.error_budget,
                       slo.step, slo.window, tuple(recorded_windows(slo, inline)))
                shapes.setdefault(key, []).append(slo)
        if not shapes:
            continue
        groups = list(shapes.values())
        if len(groups) == 1:
            expr = burn_expr(groups[0], level_windows(groups[0][0], level), inline)
        else:
            expr = "\n or ".join(c for same in groups
                                  for c in _burn_parts(same, level_windows(same[0], level),
                                                       inline))
        rules.append((record(naming.burn_condition_record(level), expr, labels), groups[0][0]))
    return rules


def _burn_alerts(slo: Slo, service: Service) -> list[Rule]:
    rules = []
    for level in LEVELS:
        windows = level_windows(slo, level)
        if not windows:
            continue
        pairs = ", ".join(f"{num(w.factor)}x over {dur(w.long)} and {dur(w.short)}"
                          for w in windows)
        labels = {**slo.labels, **slo.level_alert_labels(level), **slo_labels(slo, service)}
        summary = (f"{service.name} {slo.name}: error budget burning too fast "
                   f"({'page' if level == 'page' else 'ticket'})")
        description = (f"{slo.description + ' ' if slo.description else ''}Error ratio "
                       "{{ $value | humanizePercentage }} over the long window burns the budget "
                       f"of {num(slo.objective)}% over {dur(slo.window)} too fast "
                       f"(burn-rate limits: {pairs}).")
        runbook = f"{service.runbook}#{slo.name}" if service.runbook else None
        expr = f"{naming.burn_condition_record(level)}{selector({naming.LABEL_SLO_ID: slo.id})}"
        rules.append(alert(
            slo.alert_name, expr, windows[0].for_,
            alert_labels(service, windows[0].severity, labels),
            alert_annotations(service, summary, description, runbook,
                              slo.level_alert_annotations(level)),
            windows[0].keep_firing_for))
    return rules
