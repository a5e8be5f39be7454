"""slogen specs as OpenSLO v1 documents: a Service per service, an SLO per SLO with its
indicator inline, and an AlertPolicy of burnrate conditions where burn windows are set.

What `slogen import openslo` converts comes back unchanged through export and import (a test
checks the fixpoint). Queries are written with a 5m range where every range of the template is
the SLO window (`rate(x[5m])`; the importer turns each range back into the window), else with
Sloth's `{{.window}}` placeholder, which Sloth's and slogen's OpenSLO readers understand.
Everything OpenSLO has no field for (alert names, alert labels and annotations, plain
alerts, health checks) is listed as not exported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from generator.core import model as m
from generator.specfile import models as s

V1 = "openslo/v1"
# OpenSLO names are unique per kind across all services; slogen's only per service.
NAME_ANNOTATION = "slogen.dev/slo-name"
EXPORT_RANGE = "5m"
_WINDOW = re.compile(r"\{\{\s*window\s*\}\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")


@dataclass
class Exported:
    """OpenSLO documents and what could not be exported."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def export(specs: list[s.ServiceSpec], built: m.Model) -> Exported:
    """Every service and SLO of `specs` as OpenSLO documents, in file order."""
    out = Exported()
    names = [slo.name for spec in specs for slo in spec.slos]
    shared = {name for name in names if names.count(name) > 1}
    for spec in specs:
        service = built.service(spec.service)
        if spec.slos:
            out.documents.append(_service(spec))
        for slo_spec, slo in zip(spec.slos, service.slos, strict=True):
            doc = _slo(spec, slo_spec, slo, out.dropped)
            if slo_spec.name in shared:
                doc["metadata"]["name"] = f"{spec.service}-{slo_spec.name}"
                doc["metadata"]["annotations"] = {NAME_ANNOTATION: slo_spec.name}
            out.documents.append(doc)
        extras = [f"{len(items)} {what}" for what, items in (
            ("alerts", spec.alerts), ("recording rules", spec.recording),
            ("health checks", spec.health_checks), ("Grafana alerts", spec.grafana_alerts))
            if items]
        if extras:
            out.dropped.append(f"{spec.service}: {', '.join(extras)} are not SLOs; not exported")
    return out


def _service(spec: s.ServiceSpec) -> dict[str, Any]:
    labels: dict[str, Any] = {"team": [spec.team]}
    labels.update({k: [v] for k, v in sorted(spec.labels.items())})
    doc: dict[str, Any] = {"apiVersion": V1, "kind": "Service",
                           "metadata": {"name": spec.service, "labels": labels}, "spec": {}}
    if spec.description:
        doc["spec"]["description"] = spec.description
    return doc


def _slo(service: s.ServiceSpec, spec: s.SloSpec, slo: m.Slo,
         dropped: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if spec.description:
        body["description"] = spec.description
    body["service"] = service.service
    threshold = spec.sli.threshold
    metric = ({"thresholdMetric": {"metricSource": {
        "type": "Prometheus", "spec": {"query": threshold.query}}}} if threshold is not None
        else {"ratioMetric": _ratio(spec.sli, slo.sli)})
    body["indicator"] = {"metadata": {"name": f"{spec.name}-sli"}, "spec": metric}
    body["timeWindow"] = [_time_window(spec)]
    objective: dict[str, Any] = {"target": round(spec.objective / 100, 12)}
    if threshold is not None:
        objective.update(op=threshold.op.value, value=threshold.value)
        if threshold.every != timedelta(minutes=1):
            dropped.append(f"{service.service}/{spec.name}: sli.threshold.every has no "
                           "OpenSLO field; not exported (1m on import)")
    body["budgetingMethod"] = "Occurrences"
    if spec.timeslices is not None:
        objective["timeSliceWindow"] = shorthand(spec.timeslices.slice)
        body["budgetingMethod"] = "RatioTimeslices"
        if spec.timeslices.slice_objective is not None:
            body["budgetingMethod"] = "Timeslices"
            objective["timeSliceTarget"] = round(spec.timeslices.slice_objective / 100, 12)
    body["objectives"] = [objective]
    policy = _policy(spec, slo)
    if policy is not None:
        body["alertPolicies"] = [policy]
    _note_dropped(f"{service.service}/{spec.name}", spec.alerting, dropped)
    meta: dict[str, Any] = {"name": spec.name}
    if spec.labels:
        meta["labels"] = dict(sorted(spec.labels.items()))
    return {"apiVersion": V1, "kind": "SLO", "metadata": meta, "spec": body}


def _time_window(spec: s.SloSpec) -> dict[str, Any]:
    """A rolling window, or a calendar one: months, or a fixed length from a UTC start."""
    if spec.calendar is None:
        return {"duration": shorthand(spec.window), "isRolling": True}
    if spec.calendar.start is None:
        return {"duration": "1M", "isRolling": False,
                "calendar": {"startTime": "2000-01-01 00:00:00", "timeZone": "UTC"}}
    start = spec.calendar.start.astimezone(UTC)
    return {"duration": shorthand(spec.window), "isRolling": False,
            "calendar": {"startTime": start.strftime("%Y-%m-%d %H:%M:%S"), "timeZone": "UTC"}}


def _ratio(sli: s.SliSpec, built: m.Sli) -> dict[str, Any]:
    if sli.raw is not None:
        return {"rawType": "failure", "raw": {"metricSource": {
            "type": "Prometheus", "spec": {"query": exported_query(sli.raw.error_ratio)}}}}
    if sli.events is not None:
        parts = {"good": sli.events.good, "bad": sli.events.bad, "total": sli.events.total}
    else:
        # Latency and availability SLIs are built as "total - good": the good query is the rest.
        prefix = f"{built.total_query} - "
        assert built.errors_query.startswith(prefix)
        parts = {"good": built.errors_query[len(prefix):], "bad": None,
                 "total": built.total_query}
    out: dict[str, Any] = {"counter": False}
    for key, query in parts.items():
        if query is not None:
            out[key] = {"metricSource": {"type": "Prometheus",
                                         "spec": {"query": exported_query(query)}}}
    return out


def exported_query(template: str) -> str:
    """A slogen window template as an OpenSLO Prometheus query (see the module docstring)."""
    ranges = _RANGE.findall(template)
    if ranges and all(_WINDOW.fullmatch(r[1:-1].strip()) for r in ranges):
        return _WINDOW.sub(EXPORT_RANGE, template)
    return _WINDOW.sub("{{.window}}", template)


def _policy(spec: s.SloSpec, slo: m.Slo) -> dict[str, Any] | None:
    """Burn windows as an inline AlertPolicy, when the spec sets any (defaults stay implicit)."""
    alerting = spec.alerting
    if not (alerting.page.windows or alerting.ticket.windows):
        return None
    conditions = []
    for i, window in enumerate(slo.burn_windows):
        condition: dict[str, Any] = {"kind": "burnrate", "op": "gt",
                                     "threshold": window.factor,
                                     "lookbackWindow": shorthand(window.long)}
        if window.for_:
            condition["alertAfter"] = shorthand(window.for_)
        conditions.append({"kind": "AlertCondition",
                           "metadata": {"name": f"{spec.name}-{window.level}-{i + 1}"},
                           "spec": {"severity": window.level, "condition": condition}})
    return {"kind": "AlertPolicy", "metadata": {"name": f"{spec.name}-burn-rate"},
            "spec": {"alertWhenBreaching": True, "conditions": conditions}}


def _note_dropped(where: str, alerting: s.SloAlertingSpec, dropped: list[str]) -> None:
    for key in ("name", "labels", "annotations"):
        if getattr(alerting, key):
            dropped.append(f"{where}: alerting.{key} has no OpenSLO field; not exported")
    for level in ("page", "ticket"):
        alert = getattr(alerting, level)
        if alert.labels or alert.severity or alert.mttd:
            dropped.append(f"{where}: alerting.{level} labels, severity and mttd have no "
                           "OpenSLO field; not exported")


def shorthand(value: timedelta) -> str:
    """A duration as an OpenSLO shorthand: one number and one unit (28d, 6h, 90m, 30s)."""
    total = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if total and total % size == 0:
            return f"{total // size}{unit}"
    return f"{total}s"
