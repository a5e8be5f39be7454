"""Prometheus alerts of every kind, recording rules and SQL health checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from generator.core import model as m
from generator.core import naming
from generator.core.durations import format_duration
from generator.core.errors import Loc
from generator.core.model import Condition, Op
from generator.specfile import models as s
from generator.specfile.build_common import (
    Errors,
    camel,
    condition,
    mttd_target,
    runbook,
    selector,
    spec_source,
    unknown,
)
from generator.specfile.loader import Locator


def build_alert(spec: s.ServiceSpec, index: int, loc: Locator) -> m.Alert:
    a = spec.alerts[index]
    summary = a.summary or f"{a.name} on {spec.service}"
    common: dict[str, Any] = dict(
        name=a.name, service=spec.service, team=spec.team, severity=a.severity,
        for_=a.for_, summary=summary, description=a.description or summary,
        runbook=runbook(spec, a.runbook, a.name),
        labels=dict(sorted({**spec.labels, **a.labels}.items())),
        annotations=dict(sorted(a.annotations.items())), source=spec_source(loc, ("alerts", index)),
        group=a.group, mttd=mttd_target(loc, a.mttd, ("alerts", index, "mttd")),
    )
    return _of_kind(a, common)


def _of_kind(a: s.AnyAlertSpec, common: dict[str, Any]) -> m.Alert:
    """The model type of the alert's kind, with the `common` block."""
    if isinstance(a, s.ExprAlertSpec):
        if a.tiers is not None:
            order = {m.Severity.CRITICAL: 0, m.Severity.WARNING: 1, m.Severity.INFO: 2}
            tiers = tuple(
                m.Tier(sev, condition(t.above, t.below) or Condition(Op.ABOVE, 0),
                       t.for_ if t.for_ is not None else a.for_)
                for sev, t in sorted(a.tiers.items(), key=lambda kv: order[kv[0]])
            )
            return m.TieredAlert(expr=a.expr, tiers=tiers, **common)
        return m.ThresholdAlert(expr=a.expr, condition=condition(a.above, a.below, a.equals),
                                **common)
    if isinstance(a, s.AbsentDataAlertSpec):
        return m.AbsentAlert(absent=a.absent, **common)
    if isinstance(a, s.StaleAlertSpec):
        return m.StaleAlert(stale=m.StaleRule(a.stale.timestamp, a.stale.after), **common)
    if isinstance(a, s.PredictAlertSpec):
        p = a.predict
        cond = condition(p.above, p.below)
        assert cond is not None
        return m.PredictAlert(predict=m.PredictRule(p.expr, cond, p.within, p.lookback), **common)
    an = a.anomaly
    return m.AnomalyAlert(anomaly=m.AnomalyRule(an.expr, an.zscore, an.baseline, an.direction),
                          **common)


def build_recording(spec: s.ServiceSpec, index: int, loc: Locator) -> list[m.Recording]:
    r = spec.recording[index]
    src = spec_source(loc, ("recording", index))
    labels = dict(sorted(r.labels.items()))
    if r.histogram is None:
        assert r.record is not None and r.expr is not None
        return [m.Recording(r.record, r.expr, labels, src, r.group)]
    by = ", ".join(["le", *r.by])
    sel = selector(r.selector)
    window = format_duration(r.rate)
    return [
        m.Recording(
            naming.quantile_record(r.histogram, q, r.rate),
            f"histogram_quantile({q:g}, sum by ({by}) (rate({r.histogram}_bucket{sel}[{window}])))",
            labels, src, r.group)
        for q in r.quantiles
    ]


def build_check(spec: s.ServiceSpec, index: int, gl: s.GlobalSpec, loc: Locator,
                 errors: Errors) -> m.HealthCheck:
    c = spec.health_checks[index]
    path: Loc = ("health_checks", index)
    known = sorted(gl.databases)
    if c.database not in gl.databases:
        errors.add(loc, (*path, "database"), unknown("database", c.database, known))
    compare_db = c.compare.database if c.compare and c.compare.database else None
    if compare_db is not None and compare_db not in gl.databases:
        errors.add(loc, (*path, "compare", "database"), unknown("database", compare_db, known))
    if c.timeout > c.every:
        errors.add(loc, (*path, "timeout"), f"timeout {format_duration(c.timeout)} is longer than "
                                            f"every {format_duration(c.every)}; a check must "
                                            "end before the next run starts")
    overlap = sorted(set(c.values) & set(c.labels))
    if overlap:
        errors.add(loc, (*path, "labels"),
                   f"{', '.join(map(repr, overlap))} cannot be both a value and a label column")
    alert = c.alert
    return m.HealthCheck(
        id=f"{spec.service}-{c.name}", service=spec.service, name=c.name,
        description=c.description, database=c.database, sql=c.sql.strip(), every=c.every,
        timeout=c.timeout, values=tuple(c.values), labels=tuple(c.labels),
        compare_sql=c.compare.sql.strip() if c.compare else None,
        compare_database=(compare_db or c.database) if c.compare else None,
        tolerance=c.compare.tolerance if c.compare else 0.0,
        alert=condition(alert.above, alert.below, alert.equals, alert.outside) if alert else None,
        alert_severity=alert.severity if alert else m.Severity.WARNING,
        alert_for=alert.for_ if alert else timedelta(0),
        source=spec_source(loc, path),
        alert_mttd=mttd_target(loc, alert.mttd, (*path, "alert", "mttd")) if alert else None,
    )


def check_alert(spec: s.ServiceSpec, check: m.HealthCheck) -> m.HealthCheckAlert:
    name = camel("health_check", check.name)
    metric = (naming.CHECK_DIFFERENCE if check.compare_sql is not None
              else naming.check_metric(check.name, check.values[0]))
    expr = f'{metric}{{service="{check.service}", check="{check.name}"}}'
    summary = f"Health check {check.name} of {spec.service} failed"
    return m.HealthCheckAlert(
        name=name, service=spec.service, team=spec.team, severity=check.alert_severity,
        for_=check.alert_for, summary=summary,
        description=check.description or summary, runbook=runbook(spec, None, name),
        labels=dict(sorted(spec.labels.items())), annotations={}, source=check.source,
        expr=expr, condition=check.alert, health_check=check.name, mttd=check.alert_mttd,
    )
