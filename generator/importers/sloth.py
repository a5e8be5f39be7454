"""Turn Sloth specs (`prometheus/v1` files and `PrometheusServiceLevel` CRDs) into slogen
service specs.

Mappings stated in the output rather than made silently: the `owner` (or `team`) label becomes
the slogen team; the page/ticket `severity` labels become slogen's critical/warning severities;
alert names Prometheus would reject are respelled. Raw SLIs, SLI plugins and SLO plugins are
listed with their location.
"""

from __future__ import annotations

from typing import Any

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
from generator.importers.promql import QueryError, window_template
from generator.importers.report import Report, Severity
from generator.importers.source import Invalid, Node, Skip

SLOTH_VERSION = "prometheus/v1"
CRD_API = "sloth.slok.dev/v1"
SLO_KIND = "PrometheusServiceLevel"
_SLO_KEYS = frozenset({"name", "objective", "description", "sli", "labels", "alerting",
                       "plugins"})


def convert(docs: list[Node], report: Report) -> list[Imported]:
    """Every Sloth document's SLOs, one slogen spec per service."""
    collector = Collector(report)
    for doc in docs:
        try:
            body, camel = _body(doc, report)
            if body is not None:
                _service(body, camel, collector, report)
        except Invalid as exc:
            report.add(Severity.ERROR, exc.node.where(), exc.message)
    return collector.results()


def _body(doc: Node, report: Report) -> tuple[Node | None, bool]:
    """The part of a document holding service and slos, and whether keys are camelCase."""
    if doc.str_at("apiVersion") == CRD_API:
        if doc.str_at("kind") != SLO_KIND:
            report.add(Severity.NOT_SLO, doc.where(), f"Sloth "
                       f"{doc.str_at('kind')} (slogen sets burn windows per SLO under "
                       "alerting.page/ticket.windows)")
            return None, True
        spec = doc.get("spec")
        if spec is None or not spec.is_map():
            raise Invalid(doc, "spec is missing or not a mapping")
        return spec, True
    version = doc.str_at("version")
    if version == SLOTH_VERSION:
        return doc, False
    if doc.is_kubernetes_object():
        report.add(Severity.NOT_SLO, doc.where(), f"Kubernetes {doc.str_at('kind')} "
                   f"({doc.str_at('apiVersion')})")
        return None, False
    where = doc.get("version") or doc.get("apiVersion") or doc
    other = doc.slo_format()
    hint = f"; this is {other}: use `slogen import {other}`" if other else ""
    raise Invalid(where, f"not a Sloth spec (want version: {SLOTH_VERSION}, or apiVersion: "
                         f"{CRD_API} with kind: {SLO_KIND}){hint}")


def _key(name: str, camel: bool) -> str:
    if not camel:
        return name
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def _service(body: Node, camel: bool, collector: Collector, report: Report) -> None:
    service = body.str_at("service")
    if not service:
        raise Invalid(body, "service is required")
    labels = _text_map(body.get("labels"))
    info = ServiceInfo(body.where())
    for key in ("team", "owner"):
        if key in labels:
            info.team, info.team_from = labels.pop(key), f"Sloth label {key}"
            info.team_where = (body.get("labels") or body).get(key).where()  # type: ignore[union-attr]
            break
    info.labels = label_map(labels, body.where(), report)
    collector.describe(service, info)
    metricsql = _plugins(body.get(_key("slo_plugins", camel)), report)
    slos = body.get("slos")
    items = slos.elements() if slos is not None else []
    if not items:
        raise Invalid(slos or body, "slos is required: at least one SLO")
    for slo in items:
        report.slos_found += 1
        try:
            if metricsql is not None:
                raise Skip(slo, f"the queries are VictoriaMetrics MetricsQL (the file runs "
                                f"{metricsql}), not PromQL")
            collector.add(_slo(slo, service, camel, report))
        except Skip as exc:
            report.add(Severity.SKIPPED, exc.node.where(), exc.message)
        except Invalid as exc:
            report.add(Severity.ERROR, exc.node.where(), exc.message)


def _plugins(node: Node | None, report: Report) -> str | None:
    """Report each plugin; return the VictoriaMetrics validation plugin's id if present."""
    chain = node.get("chain") if node is not None else None
    metricsql = None
    for plugin in (chain.elements() if chain is not None else []):
        if "victoria_metrics" in (plugin.str_at("id") or ""):
            metricsql = plugin.str_at("id")
        report.add(Severity.SKIPPED, plugin.where(), f"Sloth SLO plugin "
                   f"{plugin.str_at('id')!r} is not converted: plugins run Go code inside "
                   "Sloth that slogen cannot read from the file")
    return metricsql


def _slo(slo: Node, service: str, camel: bool, report: Report) -> SloDraft:
    if not slo.is_map():
        raise Invalid(slo, "an SLO must be a mapping")
    name = slo.str_at("name")
    objective_node = slo.get("objective")
    if not name or objective_node is None:
        raise Invalid(slo, "an SLO needs name and objective")
    objective = objective_node.number()
    if not 0 < objective <= 100:
        raise Invalid(objective_node, f"objective {objective:g} is not a percentage in (0, 100]")
    if objective == 100:
        raise Skip(objective_node, "objective 100 leaves no error budget; slogen objectives "
                                   "are below 100")
    _plugins(slo.get("plugins"), report)
    for extra in sorted(set(slo.keys()) - _SLO_KEYS):
        report.add(Severity.SKIPPED, (slo.get(extra) or slo).where(), f"{extra}: not "
                   "supported by slogen; dropped")
    notes: list[tuple[Where, str]] = []
    draft = SloDraft(slo.where(), service, name, objective, _sli(slo, camel),
                     description=slo.str_at("description") or "",
                     labels=label_map(_text_map(slo.get("labels")), slo.where(), report),
                     alerting=_alerting(slo.get("alerting"), camel, report, notes))
    flush(notes, report)
    return draft


def _sli(slo: Node, camel: bool) -> dict[str, Any]:
    sli = slo.get("sli")
    if sli is None or not sli.is_map():
        raise Invalid(sli or slo, "sli is required: events, raw or plugin")
    events, raw, plugin = sli.get("events"), sli.get("raw"), sli.get("plugin")
    if sum(x is not None for x in (events, raw, plugin)) != 1:
        raise Invalid(sli, "give exactly one of events, raw or plugin")
    if plugin is not None:
        raise Skip(plugin, f"SLI plugin {plugin.str_at('id')!r}: its queries are built by Go "
                           "code inside Sloth and cannot be read from the file")
    if raw is not None:
        node = raw.get(_key("error_ratio_query", camel))
        if node is None or not (node.text() or "").strip():
            raise Invalid(node or raw, f"raw.{_key('error_ratio_query', camel)} is required")
        try:
            return {"raw": {"error_ratio": window_template(node.text() or "", False)}}
        except QueryError as exc:
            raise Skip(node, f"cannot read the query: {exc}") from None
    assert events is not None
    out = {}
    for sloth_key, ours in (("error_query", "bad"), ("total_query", "total")):
        node = events.get(_key(sloth_key, camel))
        if node is None or not (node.text() or "").strip():
            raise Invalid(node or events, f"events.{_key(sloth_key, camel)} is required")
        try:
            out[ours] = window_template(node.text() or "", True)
        except QueryError as exc:
            raise Skip(node, f"cannot read the query: {exc}") from None
    return {"events": out}


SLOTH_SEMANTICS = {"sustained": False, "keep_firing_for": "0s"}


def _alerting(node: Node | None, camel: bool, report: Report,
              notes: list[tuple[Where, str]]) -> dict[str, Any]:
    if node is None:
        return {}
    out: dict[str, Any] = {}
    name = node.str_at("name")
    if name is not None and not name.strip():
        raise Invalid(node.get("name") or node, "alerting.name is empty; give a name or leave "
                                                "the key out")
    if name:
        out["name"] = alert_name(name, (node.get("name") or node).where(), notes)
    labels = _text_map(node.get("labels"))
    if labels:
        out["labels"] = label_map(labels, node.where(), report)
    annotations = _text_map(node.get("annotations"))
    if annotations:
        out["annotations"] = annotations
    for sloth_key, level in (("page_alert", "page"), ("ticket_alert", "ticket")):
        alert = node.get(_key(sloth_key, camel))
        converted = _level(alert, level, report, notes) if alert is not None else {}
        if converted.get("enabled") is not False:
            # Sloth's alerts read every window as a plain mean and resolve as soon as a
            # condition stops holding: kept, so the imported alerts fire when Sloth's did.
            converted |= SLOTH_SEMANTICS
        out[level] = converted
    return out


def _level(alert: Node, level: str, report: Report,
           notes: list[tuple[Where, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if alert.get("disable") is not None and alert.get("disable").value is True:  # type: ignore[union-attr]
        out["enabled"] = False
    labels = _text_map(alert.get("labels"))
    if "severity" in labels:
        ours = "critical" if level == "page" else "warning"
        notes.append((alert.where(), f"severity label {labels.pop('severity')!r} becomes "
                                     f"slogen's {ours} severity"))
    if labels:
        out["labels"] = label_map(labels, alert.where(), report)
    annotations = _text_map(alert.get("annotations"))
    if annotations:
        out["annotations"] = annotations
    for extra in sorted(set(alert.keys()) - {"disable", "labels", "annotations"}):
        report.add(Severity.SKIPPED, (alert.get(extra) or alert).where(), f"{extra}: slogen's "
                   f"{level} alert has no equivalent; dropped")
    return out


def _text_map(node: Node | None) -> dict[str, str]:
    if node is None:
        return {}
    return {key: child.text() or "" for key, child in node.items() if child.text() is not None}
