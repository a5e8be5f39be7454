"""SLOs: SLIs as PromQL, burn-rate windows checked against the objective, error-budget policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from generator.core import bucket_bounds, naming, promql_syntax
from generator.core import model as m
from generator.core.calendar import Calendar
from generator.core.calendar import describe as describe_calendar
from generator.core.durations import format_duration
from generator.core.errors import Loc
from generator.core.model import WINDOW_PLACEHOLDER, Condition, Op
from generator.specfile import models as s
from generator.specfile.build_common import (
    Errors,
    camel,
    check_unique,
    condition,
    duplicates,
    mttd_target,
    normalize_placeholder,
    selector,
    spec_source,
    unknown,
)
from generator.specfile.loader import Locator

# Google SRE workbook, chapter 5: (long, short, share of budget spent in `long`, or None and a
# fixed burn rate). The 5m/1m tier pages on fast outages in about two minutes, where the 1h
# window takes 14.4x the budget's ratio divided by the outage's to fill. Its factor is fixed at
# 100x (10% errors at 99.9%): at a 1m scrape a 5m rate spans four scrape intervals, so a
# 2-minute blip counts for half of it, and blips of up to twice the tier's ratio (20%) stay
# silent; at 86.4x (1% of a 30d budget in 5 minutes) 2-minute blips of 18% paged
# (bench/results/backtest-tiers.md has the trade-off).
FAST_PAGE_WINDOW = (timedelta(minutes=5), timedelta(minutes=1), None, 100.0)
DEFAULT_PAGE_WINDOWS = ((timedelta(hours=1), timedelta(minutes=5), 2.0, None),
                        (timedelta(hours=6), timedelta(minutes=30), 5.0, None),
                        FAST_PAGE_WINDOW)


DEFAULT_TICKET_WINDOWS = ((timedelta(days=1), timedelta(hours=2), 10.0, None),
                          (timedelta(days=3), timedelta(hours=6), 10.0, None))


def _with_matcher(selector: str, matcher: str) -> str:
    inner = selector.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1].strip().rstrip(",")
    return "{" + (f"{inner}, {matcher}" if inner else matcher) + "}"


RAW_CAVEAT = ("Raw error ratio: windows longer than 5m average the 5m ratios over time; they "
              "are not weighted by traffic.")


# A subquery steps at multiples of its step since the epoch. Prometheus 2 includes both ends of
# a range, so [5m:1m] would read six points and the 5m blocks longer windows add up would share
# their edge points; moved 1ms later, the range holds exactly the five points of its own 5m in
# Prometheus 2 and 3 alike, and consecutive blocks share none.
ALIGNED = "offset -1ms"

# The comparison that makes a sample bad, for each op that makes it good.
_OP_WORDS = {s.ThresholdOp.LT: "below", s.ThresholdOp.LTE: "at most",
             s.ThresholdOp.GT: "above", s.ThresholdOp.GTE: "at least"}
_BAD_WHEN = {s.ThresholdOp.LT: ">=", s.ThresholdOp.LTE: ">", s.ThresholdOp.GT: "<=",
             s.ThresholdOp.GTE: "<"}


def _threshold_sli(sli: s.ThresholdSli) -> m.Sli:
    """The share of bad samples: a subquery stepped by `every` reads samples aligned to the
    epoch; a window without samples (the query absent) drops out, as for a raw ratio."""
    step = format_duration(sli.every)
    bad = f"({sli.query.strip()}) {_BAD_WHEN[sli.op]} bool {sli.value:.12g}"
    errors = f"(avg_over_time(({bad})[{WINDOW_PLACEHOLDER}:{step}] {ALIGNED}) >= 0)"
    return m.Sli(m.SliKind.THRESHOLD, errors, f"({errors} * 0 + 1)")


def _timesliced(sli: m.Sli, slices: s.TimeslicesSpec | None) -> m.Sli:
    """The SLI of a time-slice budget: the share of bad slices (or the mean slice ratio).

    A subquery with the slice as its step evaluates at multiples of the slice since the epoch,
    so `[5m:1m] offset -1ms` reads the five 1-minute slices ending in the recorded 5m (see
    ALIGNED); every longer window adds those 5m blocks up, each slice counted once.
    """
    if slices is None:
        return sli
    step = format_duration(slices.slice)
    ratio = f"({sli.errors(step)}) / ({sli.total(step)})"
    # A slice without traffic is 0/0: good under a slice objective (NaN > x is false), and
    # left out of the mean ratio (NaN >= 0 is false) instead of making it NaN.
    per_slice = (f"({ratio}) >= 0" if slices.slice_objective is None
                 else f"({ratio}) > bool {1 - slices.slice_objective / 100:.12g}")
    errors = f"(avg_over_time(({per_slice})[{WINDOW_PLACEHOLDER}:{step}] {ALIGNED}) >= 0)"
    return m.Sli(m.SliKind.TIMESLICES, errors, f"({errors} * 0 + 1)", sli.metrics)


def _calendar(slo: s.SloSpec) -> Calendar | None:
    if slo.calendar is None:
        return None
    if slo.calendar.months:
        return Calendar(months=True)
    return Calendar(start=slo.calendar.start, length=slo.window)


def _description(slo: s.SloSpec) -> str:
    """The SLO's description, with how a raw or time-slice SLI counts wherever it is shown."""
    caveat = RAW_CAVEAT if slo.sli.raw is not None else None
    if slo.sli.threshold is not None:
        t = slo.sli.threshold
        caveat = (f"Threshold: a sample every {format_duration(t.every)} is good when the value "
                  f"is {_OP_WORDS[t.op]} {t.value:g}; windows average the samples over time.")
    if slo.timeslices is not None:
        size = format_duration(slo.timeslices.slice)
        caveat = (f"Time slices of {size}: the objective is the share of good slices, a slice "
                  f"being good when its ratio is at least {slo.timeslices.slice_objective:g}%."
                  if slo.timeslices.slice_objective is not None else
                  f"Time slices of {size}: the SLI is the mean of the slices' error ratios.")
    calendar = _calendar(slo)
    if calendar is not None:
        resets = f"The budget resets with {describe_calendar(calendar)}."
        caveat = f"{caveat} {resets}" if caveat else resets
    if caveat is None:
        return slo.description
    return f"{slo.description} ({caveat})" if slo.description else caveat


def _build_sli(sli: s.SliSpec) -> m.Sli:
    w = WINDOW_PLACEHOLDER
    agg = f"sum by ({', '.join(sli.group_by)}) " if sli.group_by else "sum"
    if sli.events is not None:
        ev = sli.events
        errors = ev.bad if ev.bad is not None else f"({ev.total}) - ({ev.good})"
        return m.Sli(m.SliKind.EVENTS, normalize_placeholder(errors),
                     normalize_placeholder(ev.total))
    if sli.latency is not None:
        lat = sli.latency
        sel = selector(lat.selector)
        # Without an explicit `le`, every spelling of the bound matches: exporters write 1s as
        # "1", "1.0" or "1e+00" (see bucket_bounds).
        le = (f'le="{lat.le}"' if lat.le is not None
              else bucket_bounds.matcher(lat.below.total_seconds()))
        total = f"{agg}(rate({lat.histogram}_count{sel}[{w}]))"
        bucket = _with_matcher(sel, le)
        good = f"{agg}(rate({lat.histogram}_bucket{bucket}[{w}]))"
        return m.Sli(m.SliKind.LATENCY, f"{total} - {good}", total, (lat.histogram,))
    if sli.raw is not None:
        # A ratio is NaN without traffic; `>= 0` drops those samples instead of letting them
        # poison every window's sum. Total is 1 per sample, so a window averages over time.
        errors = f"(({normalize_placeholder(sli.raw.error_ratio)}) >= 0)"
        return m.Sli(m.SliKind.RAW, errors, f"({errors} * 0 + 1)")
    if sli.threshold is not None:
        return _threshold_sli(sli.threshold)
    assert sli.availability is not None
    sel = selector(sli.availability.selector)
    total = f"{agg}(count_over_time(up{sel}[{w}]))"
    up = f"{agg}(sum_over_time(up{sel}[{w}]))"
    return m.Sli(m.SliKind.AVAILABILITY, f"{total} - {up}", total, ("up",))


def _check_group_by(spec: s.SliSpec, sli: m.Sli, loc: Locator, errors: Errors,
                    path: Loc) -> None:
    """Every group_by label must be kept by both the bad and the all query."""
    if not spec.group_by:
        return
    if sli.kind not in (m.SliKind.EVENTS, m.SliKind.LATENCY, m.SliKind.AVAILABILITY):
        errors.add(loc, path, "group_by applies to events, latency and availability SLIs")
        return
    kept = (promql_syntax.shape(sli.errors("5m")).kept
            & promql_syntax.shape(sli.total("5m")).kept)
    for i, label in enumerate(spec.group_by):
        if label not in kept:
            errors.add(loc, (*path, i), f"the SLI queries do not keep label {label!r}; "
                       f"aggregate both with `sum by ({label}) (...)`")


SAMPLE_AVERAGED = frozenset({m.SliKind.RAW, m.SliKind.TIMESLICES, m.SliKind.THRESHOLD})


def build_slo(spec: s.ServiceSpec, index: int, loc: Locator, errors: Errors,
              step: timedelta, defaults: s.SloAlertingDefaultsSpec) -> m.Slo:
    """SLO `index` of `spec`; `defaults` are the global file's burn-rate alert defaults."""
    slo = spec.slos[index]
    path: Loc = ("slos", index)
    windows = []
    for level, alert, pairs, severity in (
        ("page", slo.alerting.page, DEFAULT_PAGE_WINDOWS, m.Severity.CRITICAL),
        ("ticket", slo.alerting.ticket, DEFAULT_TICKET_WINDOWS, m.Severity.WARNING),
    ):
        if not alert.enabled:
            continue
        for_ = alert.for_ or timedelta(0)
        if for_ >= slo.window:
            errors.add(loc, (*path, "alerting", level, "for"),
                       f"for {format_duration(for_)} must be shorter than the SLO window "
                       f"{format_duration(slo.window)}")
        level_defaults = defaults.page if level == "page" else defaults.ticket
        keep = alert.keep_firing_for
        if keep is None:
            keep = level_defaults.keep_firing_for
        sustained = level_defaults.sustained if alert.sustained is None else alert.sustained
        windows += [replace(w, keep_firing_for=keep, sustained=sustained) for w in _burn_windows(
            slo, level, alert, pairs, alert.severity or severity, for_, loc, errors, path)]
    labels = dict(sorted({**spec.labels, **slo.labels}.items()))
    sli = _timesliced(_build_sli(slo.sli), slo.timeslices)
    _check_group_by(slo.sli, sli, loc, errors, (*path, "sli", "group_by"))
    return m.Slo(
        id=naming.slo_id(spec.service, slo.name), service=spec.service, name=slo.name,
        description=_description(slo), objective=slo.objective, window=slo.window,
        sli=sli, burn_windows=tuple(windows), calendar=_calendar(slo),
        alert_name=slo.alerting.name or camel(spec.service, slo.name, "BudgetBurn"),
        absent=(m.SliAbsentAlert(camel(spec.service, slo.name, "SLIAbsent"),
                                 slo.alerting.absent.for_, slo.alerting.absent.severity)
                if slo.alerting.absent.enabled else None),
        labels=labels, alert_labels=dict(sorted(slo.alerting.labels.items())),
        annotations=dict(sorted(slo.alerting.annotations.items())),
        source=spec_source(loc, path),
        # Raw ratios, time slices and thresholds are averaged sample by sample, not telescoped
        # as rates.
        step=None if sli.kind in SAMPLE_AVERAGED else step,
        level_labels={level: dict(sorted(a.labels.items())) for level, a in
                      (("page", slo.alerting.page), ("ticket", slo.alerting.ticket)) if a.labels},
        level_annotations={level: dict(sorted(a.annotations.items())) for level, a in
                           (("page", slo.alerting.page), ("ticket", slo.alerting.ticket))
                           if a.annotations},
    )


def _burn_windows(slo: s.SloSpec, level: str, alert: s.BurnAlertSpec,
                  defaults: Sequence[tuple[timedelta, timedelta, float | None, float | None]],
                  severity: m.Severity,
                  for_: timedelta, loc: Locator, errors: Errors, path: Loc) -> list[m.BurnWindow]:
    """The burn-rate windows of one alert level, checked against the SLO window and objective."""
    budget = 1.0 - slo.objective / 100.0
    specs = ([(w.long, w.short, w.budget_percent, w.burn_rate) for w in alert.windows]
             if alert.windows else list(defaults))
    if not alert.windows and max(w[0] for w in specs) > slo.window:
        longest = format_duration(max(w[0] for w in specs))
        errors.add(loc, (*path, "window"),
                   f"window {format_duration(slo.window)} is shorter than the default {level} "
                   f"burn-rate window {longest}; use a window of at least {longest}, set "
                   f"alerting.{level}.windows, or alerting.{level}.enabled: false")
        return []
    out = []
    for j, (long, short, pct, factor) in enumerate(specs):
        wpath = (*path, "alerting", level, "windows", j) if alert.windows else (*path, "window")
        if long > slo.window:
            errors.add(loc, (*wpath, "long"), f"burn-rate window {format_duration(long)} is "
                                              f"longer than the SLO window "
                                              f"{format_duration(slo.window)}")
            continue
        rate = factor if factor is not None else (pct or 0) / 100.0 * (slo.window / long)
        # At a 99% objective or below no error ratio passes the default 5m tier: left out.
        if not alert.windows and (long, short, pct, factor) == FAST_PAGE_WINDOW \
                and rate * budget >= 1.0:
            continue
        if rate * budget > 1.0:
            errors.add(loc, wpath, f"{level} burn rate {rate:g} can never fire: it needs an "
                                   f"error ratio of {rate * budget:.0%}; lower the budget "
                                   f"share or the objective")
            continue
        mttd = mttd_target(loc, alert.mttd, (*path, "alerting", level, "mttd"))
        out.append(m.BurnWindow(level, long, short, round(rate, 6), severity, for_, mttd))
    return out


def build_policies(spec: s.ServiceSpec, slos: tuple[m.Slo, ...], loc: Locator,
                    errors: Errors) -> tuple[m.Policy, ...]:
    check_unique(loc, errors, "policies", [p.name for p in spec.policies], "policy")
    names = sorted(slo.name for slo in slos)
    out = []
    for i, p in enumerate(spec.policies):
        for j, name in enumerate(p.slos or []):
            if name not in names:
                errors.add(loc, ("policies", i, "slos", j), unknown("SLO", name, names))
        rb = p.rollback
        triggers = tuple(
            m.RollbackTrigger(t.name, t.description, t.expr,
                              condition(t.above, t.below) or Condition(Op.ABOVE, 0), t.for_,
                              spec_source(loc, ("policies", i, "rollback", "triggers", j)))
            for j, t in enumerate(rb.triggers if rb else []))
        for j, name, first in duplicates(t.name for t in (rb.triggers if rb else [])):
            errors.add(loc, ("policies", i, "rollback", "triggers", j, "name"),
                       f"duplicate rollback trigger name {name!r}; "
                       f"triggers[{first}] has it already")
        out.append(m.Policy(
            name=p.name, description=p.description,
            slos=tuple(naming.slo_id(spec.service, n) for n in (p.slos or [x.name for x in slos])),
            budget_remaining_below=p.block_when.budget_remaining_below,
            page_burn=p.block_when.page_burn, watch=rb.watch if rb else timedelta(0),
            deployed_at=rb.deployed_at if rb else None, triggers=triggers,
            source=spec_source(loc, ("policies", i))))
    return tuple(out)
