"""A flat catalogue of every alert a service raises (one row per severity), described in words.

Docs, the MTTD check and `slogen diff` all read these rows, so they agree on what an alert is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from generator.core import model as m
from generator.core import notify
from generator.core.durations import format_duration
from generator.core.errors import SpecError
from generator.core.model import Condition, Op


@dataclass(frozen=True)
class AlertRow:
    """One alert at one severity, as a reader (or a diff) sees it."""

    service: str
    name: str
    severity: m.Severity
    kind: str
    condition: str
    for_: timedelta
    receivers: tuple[str, ...]
    runbook: str | None
    timing: notify.Timing
    mttd: m.MttdTarget | None
    active_during: str | None = None

    @property
    def key(self) -> str:
        """Stable identity across spec versions."""
        return f"{self.service}/{self.name}/{self.severity.value}"


def _row(service: m.Service, name: str, severity: m.Severity, kind: str, condition: str,
         for_: timedelta, found: tuple[notify.Delivery, ...], runbook: str | None,
         timing: notify.Timing, mttd: m.MttdTarget | None) -> AlertRow:
    # When every route only notifies inside a time interval, a page can wait for it to open.
    muted = {d.active_during for d in found}
    return AlertRow(service.name, name, severity, kind, condition, for_, notify.receivers(found),
                    runbook, timing, mttd, muted.pop() if len(muted) == 1 else None)


def _cond(c: Condition | None) -> str:
    if c is None:
        return "returns any series"
    if c.op is Op.OUTSIDE:
        return f"is outside [{c.threshold:g}, {c.high:g}]"
    words = {Op.ABOVE: "is above", Op.BELOW: "is below", Op.EQUALS: "equals"}
    return f"{words[c.op]} {c.threshold:g}"


def _words(alert: m.Alert, condition: Condition | None) -> str:
    """The condition of a non-SLO alert in plain words."""
    match alert:
        case m.AbsentAlert():
            return f"`{alert.absent}` has no data"
        case m.StaleAlert():
            stale = alert.stale
            return f"`{stale.timestamp}` is older than {format_duration(stale.after)}"
        case m.PredictAlert():
            p = alert.predict
            return (f"`{p.expr}`, extrapolated linearly from the last "
                    f"{format_duration(p.lookback)}, "
                    f"{_cond(p.condition).replace('is ', 'goes ', 1)} "
                    f"within {format_duration(p.within)}")
        case m.AnomalyAlert():
            a = alert.anomaly
            side = {"above": "above", "below": "below", "both": "away from"}[a.direction]
            return (f"`{a.expr}` is more than {a.zscore:g} standard deviations {side} its "
                    f"{format_duration(a.baseline)} mean")
        case m.HealthCheckAlert():
            return f"health check `{alert.health_check}` {_cond(condition)}"
        case _:
            return f"`{alert.expr}` {_cond(condition)}"


def _burn_words(slo: m.Slo, level: str) -> str:
    parts = [f"{w.factor * slo.error_budget * 100:.4g}% over {format_duration(w.long)} and "
             f"{format_duration(w.short)} ({w.factor:g}x the budget rate)"
             for w in slo.burn_windows if w.level == level]
    return "error ratio above " + ", or ".join(parts)


def slo_rows(model: m.Model, service: m.Service, slo: m.Slo) -> list[AlertRow]:
    """One row per burn-rate level (page, ticket) of `slo`."""
    rows = []
    for level in dict.fromkeys(w.level for w in slo.burn_windows):
        first = next(w for w in slo.burn_windows if w.level == level)
        labels = notify.alert_labels(service, first.severity,
                                     {**slo.labels, **slo.level_alert_labels(level)})
        rows.append(_row(
            service, slo.alert_name, first.severity, f"burn rate ({level})",
            _burn_words(slo, level), first.for_, notify.deliveries(model, service, labels),
            slo.level_alert_annotations(level).get("runbook_url")
            or (f"{service.runbook}#{slo.name}" if service.runbook else None),
            notify.slo_timing(model, service, slo, level), first.mttd or service.mttd))
    if slo.absent is not None:
        a = slo.absent
        labels = notify.alert_labels(service, a.severity, {**slo.labels, **slo.alert_labels})
        found = notify.deliveries(model, service, labels)
        timing = notify.Timing((("scrape", model.prometheus.scrape_interval),
                                ("evaluation", model.prometheus.evaluation_interval),
                                ("for", a.for_), ("group_wait", notify.group_wait(found))))
        rows.append(_row(service, a.name, a.severity, "SLI absent",
                         f"the SLI's total series of {slo.name} is missing", a.for_, found,
                         f"{service.runbook}#{slo.name}" if service.runbook else None, timing,
                         None))
    return rows


def slo_row_count(slo: m.Slo) -> int:
    """How many rows `slo_rows` gives `slo`, without building them."""
    return len(dict.fromkeys(w.level for w in slo.burn_windows)) + (slo.absent is not None)


def alert_rows(model: m.Model, service: m.Service, alert: m.Alert) -> list[AlertRow]:
    """One row per severity of `alert` (tiered alerts have several)."""
    own = m.alert_condition(alert)
    tiers = m.alert_tiers(alert) or (m.Tier(alert.severity, own or Condition(Op.ABOVE, 0),
                                            alert.for_),)
    rows = []
    for tier in tiers:
        condition = tier.condition if m.alert_tiers(alert) or own else None
        labels = notify.alert_labels(service, tier.severity, alert.labels)
        rows.append(_row(
            service, alert.name, tier.severity, alert.kind.value,
            _words(alert, condition), tier.for_, notify.deliveries(model, service, labels),
            alert.runbook,
            notify.alert_timing(model, service, alert, tier.for_, tier.severity),
            alert.mttd or service.mttd))
    return rows


def grafana_rows(model: m.Model, service: m.Service, alert: m.GrafanaAlert) -> list[AlertRow]:
    """The row of a Grafana-managed alert rule."""
    query = "SQL query" if alert.sql is not None else f"`{alert.expr}`"
    words = (f"{alert.reduce} of {query} over {format_duration(alert.range)} "
             f"{_cond(alert.condition)}")
    labels = notify.alert_labels(service, alert.severity, alert.labels)
    return [_row(service, alert.title, alert.severity, "grafana", words, alert.for_,
                 notify.deliveries(model, service, labels), alert.runbook,
                 notify.grafana_timing(model, service, alert), alert.mttd or service.mttd)]


# Rows read the service, the route tree and two Prometheus intervals alone; the MTTD check
# and the docs index both want every service's rows: built once per service and routing.
_ROWS: dict[tuple[int, int, object, object], tuple[object, object, list[AlertRow]]] = {}
_ROWS_KEPT = 4096


def service_rows(model: m.Model, service: m.Service) -> list[AlertRow]:
    """Every alert row of `service`, SLO alerts first, then by name and severity."""
    key = (id(service), id(model.route_tree), model.prometheus.scrape_interval,
           model.prometheus.evaluation_interval)
    hit = _ROWS.get(key)
    if hit is not None and hit[0] is service and hit[1] is model.route_tree:
        return list(hit[2])
    rows = _service_rows(model, service)
    if len(_ROWS) >= _ROWS_KEPT:
        _ROWS.clear()
    _ROWS[key] = (service, model.route_tree, rows)
    return list(rows)


def _service_rows(model: m.Model, service: m.Service) -> list[AlertRow]:
    rows = [r for slo in service.slos for r in slo_rows(model, service, slo)]
    rows += sorted((r for a in service.alerts for r in alert_rows(model, service, a)),
                   key=lambda r: (r.name, r.severity.value))
    rows += sorted((r for g in service.grafana_alerts for r in grafana_rows(model, service, g)),
                   key=lambda r: r.name)
    return rows


def unmet_mttd(model: m.Model, skip: frozenset[str] = frozenset()) -> list[SpecError]:
    """A located error for every alert whose worst-case time to notify exceeds its MTTD target
    (in the services not named in `skip`)."""
    errors = []
    for service in model.services:
        if service.name in skip:
            continue
        for row in service_rows(model, service):
            target = row.mttd
            if target is None or row.timing.total <= target.within:
                continue
            src = target.source
            errors.append(SpecError(
                src.file, src.line, src.column, src.path,
                f"{row.name} ({row.severity.value}) cannot notify within "
                f"{format_duration(target.within)}: worst case is "
                f"{format_duration(row.timing.total)} ({row.timing.explain()}); shorten "
                f"for/intervals or relax the target"))
    return errors
