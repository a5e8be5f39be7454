"""Turn Pyrra `ServiceLevelObjective`s (pyrra.dev/v1alpha1) into slogen service specs.

Pyrra has no service field: the Kubernetes namespace is the service (the object's name when it
has none) and the object's name the SLO. Each indicator becomes an events SLI with the queries
Pyrra itself builds: counters through rate(), `grouping` as `sum by (...)`, a latency's good
events from its `le` bucket, a native histogram's from histogram_fraction, a bool gauge's from
sum_over_time over count_over_time (the share of samples that were 1).
"""

from __future__ import annotations

from typing import Any

from generator.importers import durations
from generator.importers.common import (
    Collector,
    Imported,
    ServiceInfo,
    SloDraft,
    Where,
    alert_name,
    flush,
    label_map,
)
from generator.importers.report import Report, Severity
from generator.importers.source import Invalid, Node, Skip

API = "pyrra.dev/v1alpha1"
KIND = "ServiceLevelObjective"
TEAM_LABEL = "pyrra.dev/team"
RULE_LABEL_PREFIX = "pyrra.dev/"
W = "{{window}}"


def convert(docs: list[Node], report: Report) -> list[Imported]:
    """Every ServiceLevelObjective's SLO, one slogen spec per namespace."""
    collector = Collector(report)
    for doc in docs:
        try:
            if _is_slo(doc, report):
                report.slos_found += 1
                collector.add(_draft(doc, collector, report))
        except Skip as exc:
            report.add(Severity.SKIPPED, exc.node.where(), exc.message)
        except Invalid as exc:
            report.add(Severity.ERROR, exc.node.where(), exc.message)
    return collector.results()


def _is_slo(doc: Node, report: Report) -> bool:
    api, kind = doc.str_at("apiVersion"), doc.str_at("kind")
    if api != API and doc.is_kubernetes_object():
        report.add(Severity.NOT_SLO, doc.where(), f"Kubernetes {kind} ({api})")
        return False
    if api != API:
        other = doc.slo_format()
        hint = f"; this is {other}: use `slogen import {other}`" if other else ""
        raise Invalid(doc.get("apiVersion") or doc,
                      f"apiVersion {api!r} is not Pyrra; want {API}{hint}")
    if kind != KIND:
        report.add(Severity.NOT_SLO, doc.where(), f"kind {kind!r}")
        return False
    return True


def _draft(doc: Node, collector: Collector, report: Report) -> SloDraft:
    meta, spec = doc.get("metadata"), doc.get("spec")
    name = meta.str_at("name") if meta is not None else None
    if not name or spec is None:
        raise Invalid(doc, "a ServiceLevelObjective needs metadata.name and spec")
    assert meta is not None
    service = meta.str_at("namespace") or name
    target_node, window_node = spec.get("target"), spec.get("window")
    if target_node is None or window_node is None:
        raise Invalid(spec, "spec.target and spec.window are required")
    target = target_node.number()
    if not 0 < target < 100:
        raise Invalid(target_node, f"target {target:g} is not a percentage between 0 and 100")
    notes: list[tuple[Where, str]] = []
    labels, team = _labels(meta, report)
    info = ServiceInfo(meta.where(), team=team.text() if team else None,
                       team_from=f"label {TEAM_LABEL}" if team else "",
                       team_where=team.where() if team else None)
    if not meta.str_at("namespace"):
        notes.append((meta.where(), f"no namespace: the service is named after the object, "
                                    f"{name!r}"))
    collector.describe(service, info)
    draft = SloDraft(doc.where(), service, name, target, {"events": _events(spec)},
                     durations.duration(window_node), spec.str_at("description") or "",
                     labels, _alerting(spec.get("alerting"), notes))
    flush(notes, report)
    return draft


def _labels(meta: Node, report: Report) -> tuple[dict[str, str], Node | None]:
    """Labels Pyrra copies into its rules (`pyrra.dev/` prefix), and the team label."""
    out, team = {}, None
    node = meta.get("labels")
    for key, value in (node.items() if node is not None else []):
        text = value.text() or ""
        if key == TEAM_LABEL:
            team = value
        elif key.startswith(RULE_LABEL_PREFIX):
            out[key[len(RULE_LABEL_PREFIX):]] = text
        else:
            report.add(Severity.NOTE, value.where(), f"Kubernetes label {key!r} selects the "
                       "PrometheusRule object; it is not a rule label and is not carried over")
    return label_map(out, meta.where(), report), team


def _events(spec: Node) -> dict[str, str]:
    indicator = spec.get("indicator")
    kinds = [k for k in ("ratio", "latency", "latencyNative", "bool_gauge")
             if indicator is not None and indicator.has(k)]
    if indicator is None or len(kinds) != 1:
        raise Invalid(indicator or spec, "the indicator needs exactly one of ratio, latency, "
                                         "latencyNative or bool_gauge")
    body = indicator.get(kinds[0])
    assert body is not None
    by = _grouping(body)
    if kinds[0] == "ratio":
        return {"bad": _sum(by, f"rate({_metric(body, 'errors')}[{W}])"),
                "total": _sum(by, f"rate({_metric(body, 'total')}[{W}])")}
    if kinds[0] == "latency":
        return {"good": _sum(by, f"rate({_metric(body, 'success')}[{W}])"),
                "total": _sum(by, f"rate({_metric(body, 'total')}[{W}])")}
    if kinds[0] == "latencyNative":
        return _native(body, by)
    metric = _selector(body.get("metric"), body)
    return {"good": _sum(by, f"sum_over_time({metric}[{W}])"),
            "total": _sum(by, f"count_over_time({metric}[{W}])")}


def _native(body: Node, by: str) -> dict[str, str]:
    latency = body.get("latency")
    if latency is None:
        raise Invalid(body, "latencyNative needs latency, like 200ms")
    seconds = durations.seconds(durations.duration(latency))
    rate = f"rate({_metric(body, 'total')}[{W}])"
    return {"good": _sum(by, f"histogram_fraction(0, {seconds:g}, {rate}) * "
                             f"histogram_count({rate})"),
            "total": _sum(by, f"histogram_count({rate})")}


def _metric(body: Node, key: str) -> str:
    part = body.get(key)
    return _selector(part.get("metric") if part is not None else None, part or body)


def _selector(node: Node | None, where: Node) -> str:
    text = (node.text() or "").strip() if node is not None else ""
    if not text:
        raise Invalid(node or where, "metric is required, a series selector like "
                                     'http_requests_total{job="api"}')
    if any(c in text for c in "()[]"):
        raise Skip(node or where, f"metric {text!r} is not a plain series selector")
    return text


def _grouping(body: Node) -> str:
    node = body.get("grouping")
    names = [n.text() or "" for n in (node.elements() if node is not None else [])]
    return ", ".join(names)


def _sum(by: str, expr: str) -> str:
    return f"sum by ({by}) ({expr})" if by else f"sum({expr})"


def _alerting(node: Node | None, notes: list[tuple[Where, str]]) -> dict[str, Any]:
    if node is None:
        return {}
    out: dict[str, Any] = {}
    name = node.str_at("name")
    if name:
        out["name"] = alert_name(name, node.where(), notes)
    disabled = node.get("disabled")
    burnrates = node.get("burnrates")
    if (disabled is not None and disabled.value is True) or (
            burnrates is not None and burnrates.value is False):
        out["page"] = {"enabled": False}
        out["ticket"] = {"enabled": False}
    absent = node.get("absent")
    if absent is not None and absent.value is True:
        notes.append((absent.where(), "absent alerts are not generated per SLO by slogen; add "
                                      "an `absent:` alert to the service if you need one"))
    return out
