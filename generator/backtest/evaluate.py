"""Evaluate the shipped alert rules unchanged over a backfilled TSDB and judge their episodes.

The query function is passed in (a Prometheus serving the backfilled TSDB in the CLI), so this
module stays pure. Each alert rule's expression is evaluated with query_range at its group's
interval, aligned to the timestamps its group's recording rules were backfilled at (Prometheus
evaluates a group at a fixed offset within its interval), and `for` is applied as Prometheus
applies it (scoring.episodes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from generator.backtest import rulefiles as rf
from generator.backtest.incidents import ServiceFacts
from generator.backtest.scoring import Episode, Incident, Interval, Scope, Score, episodes, judge
from generator.core import model as m

# (expr, start, end, step) -> per series, the evaluation times at which it had a sample.
QueryFn = Callable[[str, float, float, float], list[list[float]]]

SLO_APPROACH = "SLO burn rate"
ABSENT_APPROACH = "absent or stale"
_APPROACHES = {m.AlertKind.THRESHOLD: "static threshold", m.AlertKind.TIERED: "static threshold",
               m.AlertKind.PREDICT: "predictive", m.AlertKind.ANOMALY: "anomaly (z-score)",
               m.AlertKind.ABSENT: ABSENT_APPROACH, m.AlertKind.STALE: ABSENT_APPROACH,
               m.AlertKind.HEALTH_CHECK: "health check"}


@dataclass(frozen=True)
class ShippedAlert:
    """One alerting rule of the generated files, with what the scoring needs to know about it."""

    service: str
    name: str
    severity: str
    approach: str
    expr: str
    for_: timedelta
    keep_firing_for: timedelta
    interval: timedelta
    group: str
    reads: frozenset[str]  # raw metric names, through the recorded series it reads
    reach: timedelta  # how far back it reads raw data
    slo: str = ""
    lead: timedelta = timedelta(0)  # how early a warning still detects (predictive alerts)
    scored: bool = True
    note: str = ""

    @property
    def key(self) -> str:
        """`service/alert/severity`."""
        return f"{self.service}/{self.name}/{self.severity}"


def _raw_reads(expr: str, records: Mapping[str, str]) -> frozenset[str]:
    found: set[str] = set()
    todo, seen = [expr], set()
    while todo:
        for name in rf.reads(todo.pop()):
            if name in records:
                if name not in seen:
                    seen.add(name)
                    todo.append(records[name])
            else:
                found.add(name)
    return frozenset(found)


def records_of(groups: Sequence[rf.Group]) -> dict[str, str]:
    """Recorded name -> one expression recording it (all of them joined with `or`)."""
    found: dict[str, list[str]] = {}
    for g in groups:
        for r in g.rules:
            if r.record:
                found.setdefault(r.record, []).append(r.expr)
    return {k: " or ".join(v) for k, v in found.items()}


def _kind_of(model: m.Model, service: str, name: str) -> tuple[str, str, timedelta]:
    """(approach, SLO name, lead allowance) of alert `name` of `service`."""
    svc = next((s for s in model.services if s.name == service), None)
    if svc is None:
        return "other", "", timedelta(0)
    for slo in svc.slos:
        if slo.alert_name == name:
            return SLO_APPROACH, slo.name, timedelta(0)
    for a in svc.alerts:
        if a.name == name:
            lead = a.predict.within if isinstance(a, m.PredictAlert) else timedelta(0)
            return _APPROACHES.get(a.kind, a.kind.value), "", lead
    return "other", "", timedelta(0)


def shipped_alerts(groups: Sequence[rf.Group], model: m.Model,
                   lead: timedelta | None = None) -> list[ShippedAlert]:
    """Every alerting rule in `groups`; `lead` overrides predictive alerts' own horizon."""
    records = records_of(groups)
    found = []
    for g in groups:
        for r in g.rules:
            if not r.alert:
                continue
            service = r.labels.get("service", "")
            approach, slo, own_lead = _kind_of(model, service, r.alert)
            if approach == "other" and r.expr.startswith("absent("):
                approach = ABSENT_APPROACH  # an SLO's SLI-absent alert
            if own_lead and lead is not None:
                own_lead = lead
            found.append(ShippedAlert(service, r.alert, r.labels.get("severity", ""), approach,
                                      r.expr, r.for_, r.keep_firing_for, g.interval, g.name,
                                      _raw_reads(r.expr, records), rf.reach(r.expr, records),
                                      slo, own_lead))
    return found


def sli_metrics(slo: m.Slo) -> frozenset[str]:
    """Raw metric names an SLO's SLI reads."""
    return frozenset(rf.reads(slo.sli.errors("5m")) | rf.reads(slo.sli.total("5m")))


def expects(alert: ShippedAlert, incident: Incident, model: m.Model) -> bool:
    """True when `alert` is meant to catch `incident`: named in its `alerts`, or else a burn-rate
    alert of the incident's SLO, or an alert reading a metric the incident affected (an SLO
    incident affects its SLI's metrics); absent and stale alerts only when named."""
    if alert.service != incident.service:
        return False
    if incident.alerts:
        return alert.name in incident.alerts
    # The SLI-absent alert watches for missing data, not for errors: only named incidents.
    svc = model.service(incident.service)
    if alert.name in {s.absent.name for s in svc.slos if s.absent is not None}:
        return False
    if alert.slo and incident.slo:
        return alert.slo == incident.slo
    affected = set(incident.metrics)
    if incident.slo:
        svc = model.service(incident.service)
        affected |= {x for s in svc.slos if s.name == incident.slo for x in sli_metrics(s)}
    return bool(affected & alert.reads)


def service_facts(alerts: Sequence[ShippedAlert], model: m.Model) -> dict[str, ServiceFacts]:
    """Per service: SLO names, alert names, and metrics its alerts read (incident checks)."""
    facts = {}
    for svc in model.services:
        mine = [a for a in alerts if a.service == svc.name]
        facts[svc.name] = ServiceFacts(
            frozenset(s.name for s in svc.slos),
            frozenset(a.name for a in mine) | frozenset(g.title for g in svc.grafana_alerts),
            frozenset(x for a in mine for x in a.reads))
    return facts


def first_eval(start: float, interval: float, offset: float) -> float:
    """The first evaluation time at or after `start` of a group evaluated at `offset` within
    every `interval`."""
    return start + (offset - start) % interval


@dataclass(frozen=True)
class Timeline:
    """The evaluation times at which one alert's expression returned each of its series."""

    alert: ShippedAlert
    times: tuple[tuple[float, ...], ...]

    def fired(self, for_: timedelta | None = None,
              keep_firing_for: timedelta | None = None) -> list[Interval]:
        """Firing intervals with the alert's own `for` and `keep_firing_for`, or those given."""
        return episodes(self.times, self.alert.interval.total_seconds(),
                        self.alert.for_ if for_ is None else for_,
                        self.alert.keep_firing_for if keep_firing_for is None
                        else keep_firing_for)


def timeline(alert: ShippedAlert, query: QueryFn, span: tuple[float, float],
             offset: float, expr: str | None = None) -> Timeline:
    """Evaluate `alert` (or `expr` in its place) every group interval over `span`."""
    step = alert.interval.total_seconds()
    start = first_eval(span[0], step, offset)
    times = query(expr or alert.expr, start, span[1], step)
    return Timeline(alert, tuple(tuple(t) for t in times))


@dataclass(frozen=True)
class AlertResult:
    """One alert over one scenario: its judged episodes, score, and expected incidents."""

    alert: ShippedAlert
    episodes: tuple[Episode, ...]
    score: Score
    expected: tuple[Incident, ...]


def judge_alert(alert: ShippedAlert, fired: Sequence[Interval], incidents: Sequence[Incident],
                model: m.Model, scope: Scope) -> AlertResult:
    """Judge an alert's firing intervals against the incidents it is expected to catch."""
    expected = tuple(i for i in incidents if expects(alert, i, model))
    own = Scope(scope.start, scope.end, scope.grace, alert.lead.total_seconds())
    judged, score = judge(fired, expected, own)
    return AlertResult(alert, tuple(judged), score, expected)
