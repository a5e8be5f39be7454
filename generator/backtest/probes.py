"""What the backtest evaluates: one PromQL condition per alert and severity, plus tuning variants.

Non-SLO alerts use the Prometheus target's own expressions, so the backtest judges the rules
that ship. Two kinds read series that only exist once rules have run for a while, which a
backfilled TSDB lacks: burn-rate alerts read recorded 5m rates, anomaly alerts recorded means.
Their probes compute the same quantities from the raw series (`rate(x[W])` ratios, subqueries
over the baseline), which is what those recordings approximate.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from generator.core import model as m
from generator.core.durations import format_duration
from generator.core.model import Condition
from generator.core.promql import num, range_of
from generator.targets.prometheus import alert_rules as ar

ANOMALY_STEP = timedelta(minutes=5)
THRESHOLD_FACTORS = (0.8, 0.9, 1.1, 1.25)
BURN_FACTORS = (0.5, 0.75, 1.5)
ZSCORE_DELTAS = (-1.0, -0.5, 0.5, 1.0)
HORIZON_FACTORS = (0.5, 2.0)


@dataclass(frozen=True)
class Probe:
    """One alert at one severity as a PromQL condition; `variant` names a tuning change."""

    service: str
    alert: str
    severity: m.Severity
    kind: str
    expr: str
    for_: timedelta
    variant: str = ""

    @property
    def key(self) -> str:
        """`service/alert/severity`, as in the docs and diff."""
        return f"{self.service}/{self.alert}/{self.severity.value}"


def _burn_expr(slo: m.Slo, windows: list[m.BurnWindow], scale: float = 1.0) -> str:
    def ratio(w: timedelta) -> str:
        d = format_duration(w)
        return f"(({slo.sli.errors(d)}) / ({slo.sli.total(d)}))"

    parts = [f"({ratio(w.long)} > {num(w.factor * scale * slo.error_budget)} and "
             f"{ratio(w.short)} > {num(w.factor * scale * slo.error_budget)})" for w in windows]
    return " or ".join(parts)


def _anomaly_expr(an: m.AnomalyRule, zscore: float) -> str:
    rng = range_of(an.expr, an.baseline, ANOMALY_STEP)
    z = f"(({an.expr}) - avg_over_time({rng})) / stddev_over_time({rng})"
    return {"above": f"{z} > {num(zscore)}", "below": f"{z} < -{num(zscore)}",
            "both": f"abs({z}) > {num(zscore)}"}[an.direction]


def slo_probes(service: m.Service, slo: m.Slo) -> list[Probe]:
    """One probe per burn-rate level."""
    probes = []
    for level in dict.fromkeys(w.level for w in slo.burn_windows):
        windows = [w for w in slo.burn_windows if w.level == level]
        probes.append(Probe(service.name, slo.alert_name, windows[0].severity,
                            f"burn rate ({level})", _burn_expr(slo, windows), windows[0].for_))
    return probes


def alert_probes(service: m.Service, alert: m.Alert) -> list[Probe]:
    """One probe per severity of a non-SLO alert."""
    if alert.kind is m.AlertKind.ANOMALY:
        assert alert.anomaly is not None
        return [Probe(service.name, alert.name, alert.severity, alert.kind.value,
                      _anomaly_expr(alert.anomaly, alert.anomaly.zscore), alert.for_)]
    rules = [r for r in ar.alert_rules(alert, service, inline_inputs=True) if "alert" in r]
    fors = [t.for_ for t in alert.tiers] if alert.tiers else [alert.for_]
    sevs = [t.severity for t in alert.tiers] if alert.tiers else [alert.severity]
    return [Probe(service.name, alert.name, sev, alert.kind.value, str(rule["expr"]), for_)
            for rule, sev, for_ in zip(rules, sevs, fors, strict=True)]


def model_probes(model: m.Model) -> list[Probe]:
    """Every Prometheus-evaluated alert in the model (Grafana-managed rules are not replayed)."""
    return [p for svc in model.services
            for p in [*(x for slo in svc.slos for x in slo_probes(svc, slo)),
                      *(x for a in svc.alerts for x in alert_probes(svc, a))]]


# --- tuning variants ----------------------------------------------------------------------------


def _for_variants(probe: Probe) -> Iterator[Probe]:
    options = ([timedelta(0), probe.for_ / 2, probe.for_ * 2] if probe.for_
               else [timedelta(minutes=5), timedelta(minutes=15)])
    for for_ in options:
        yield dataclasses.replace(probe, for_=for_, variant=f"for {format_duration(for_)}")


def _scaled(cond: Condition, factor: float) -> Condition:
    return Condition(cond.op, cond.threshold * factor,
                     cond.high * factor if cond.high is not None else None)


def _alert_variants(service: m.Service, alert: m.Alert, severity: m.Severity) -> Iterator[Probe]:
    def pick(a: m.Alert, label: str) -> Iterator[Probe]:
        for p in alert_probes(service, a):
            if p.severity is severity:
                yield dataclasses.replace(p, variant=label)

    if alert.condition is not None and alert.condition.threshold:
        for f in THRESHOLD_FACTORS:
            cond = _scaled(alert.condition, f)
            yield from pick(dataclasses.replace(alert, condition=cond),
                            f"threshold {num(cond.threshold)}")
    if alert.tiers:
        for f in THRESHOLD_FACTORS:
            tiers = tuple(dataclasses.replace(t, condition=_scaled(t.condition, f))
                          if t.severity is severity else t for t in alert.tiers)
            tier = next(t for t in tiers if t.severity is severity)
            yield from pick(dataclasses.replace(alert, tiers=tiers),
                            f"threshold {num(tier.condition.threshold)}")
    if alert.predict is not None:
        for f in HORIZON_FACTORS:
            pr = dataclasses.replace(alert.predict, within=alert.predict.within * f)
            yield from pick(dataclasses.replace(alert, predict=pr),
                            f"horizon {format_duration(pr.within)}")
    if alert.anomaly is not None:
        for d in ZSCORE_DELTAS:
            z = alert.anomaly.zscore + d
            if z > 0:
                yield from pick(dataclasses.replace(
                    alert, anomaly=dataclasses.replace(alert.anomaly, zscore=z)), f"z-score {z:g}")


def variants(model: m.Model, probe: Probe) -> list[Probe]:
    """Changed copies of `probe` (threshold, `for`, z-score, horizon, burn factor) to replay."""
    service = model.service(probe.service)
    found = list(_for_variants(probe))
    for slo in service.slos:
        if slo.alert_name == probe.alert:
            level = probe.kind.removeprefix("burn rate (").removesuffix(")")
            windows = [w for w in slo.burn_windows if w.level == level]
            found += [dataclasses.replace(probe, expr=_burn_expr(slo, windows, f),
                                          variant=f"burn rate x{f:g}") for f in BURN_FACTORS]
    for alert in service.alerts:
        if alert.name == probe.alert:
            found += _alert_variants(service, alert, probe.severity)
    return found

