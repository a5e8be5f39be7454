"""Turn Sloth specs (`prometheus/v1` files and `PrometheusServiceLevel` CRDs) into slogen
service specs, listing every field that has no slogen equivalent instead of dropping it."""

from __future__ import annotations

from typing import Any

from generator.importers.common import Imported, identifier, label_map, window_template

SLOTH_VERSION = "prometheus/v1"
CRD_API = "sloth.slok.dev/v1"


def convert(doc: dict[str, Any], where: str) -> Imported:
    """One Sloth document as a slogen service spec."""
    notes: list[str] = []
    if doc.get("apiVersion") == CRD_API and doc.get("kind") == "PrometheusServiceLevel":
        body, camel = doc.get("spec") or {}, True
        where = f"{where}: spec"
    elif doc.get("version") == SLOTH_VERSION:
        body, camel = doc, False
    else:
        raise ValueError(f"{where}: not a Sloth spec (want version: {SLOTH_VERSION} or "
                         f"apiVersion: {CRD_API}, kind: PrometheusServiceLevel)")
    labels = {str(k): str(v) for k, v in (body.get("labels") or {}).items()}
    service = identifier(str(body.get("service", "")), f"{where}.service", notes)
    team = labels.pop("team", None) or labels.pop("owner", None)
    if team is None:
        notes.append(f"{where}.labels: no team or owner label; team set to {service!r}")
    spec: dict[str, Any] = {
        "version": "slogen/v1",
        "service": service,
        "team": identifier(team or service, f"{where}.labels.team", notes),
    }
    if labels:
        spec["labels"] = label_map(labels, f"{where}.labels", notes)
    slos = [_slo(s, f"{where}.slos[{i}]", camel, notes)
            for i, s in enumerate(body.get("slos") or [])]
    spec["slos"] = [s for s in slos if s is not None]
    return Imported(service, spec, notes)


def _key(name: str, camel: bool) -> str:
    if not camel:
        return name
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def _slo(slo: dict[str, Any], where: str, camel: bool, notes: list[str]) -> dict[str, Any] | None:
    def k(name: str) -> str:
        return _key(name, camel)

    sli = slo.get("sli") or {}
    events = sli.get("events")
    if events is None:
        kind = next(iter(sli), "nothing")
        notes.append(f"{where}.sli.{kind}: only event SLIs (error and total queries) convert; "
                     "SLO skipped")
        return None
    out: dict[str, Any] = {"name": identifier(str(slo.get("name", "")), f"{where}.name", notes),
                           "objective": float(slo["objective"])}
    if slo.get("description"):
        out["description"] = str(slo["description"])
    out["sli"] = {"events": {"bad": window_template(str(events[k("error_query")])),
                             "total": window_template(str(events[k("total_query")]))}}
    if slo.get("labels"):
        out["labels"] = label_map(slo["labels"], f"{where}.labels", notes)
    alerting = slo.get("alerting") or {}
    converted = _alerting(alerting, f"{where}.alerting", camel, notes)
    if converted:
        out["alerting"] = converted
    for extra in sorted(set(slo) - {"name", "objective", "description", "sli", "labels",
                                    "alerting"}):
        notes.append(f"{where}.{extra}: not supported, dropped")
    return out


def _alerting(alerting: dict[str, Any], where: str, camel: bool,
              notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if alerting.get("name"):
        out["name"] = str(alerting["name"])
    for key in ("labels", "annotations"):
        if alerting.get(key):
            out[key] = (label_map(alerting[key], f"{where}.{key}", notes) if key == "labels"
                        else {str(a): str(b) for a, b in alerting[key].items()})
    for sloth_key, level in (("page_alert", "page"), ("ticket_alert", "ticket")):
        alert = alerting.get(_key(sloth_key, camel)) or {}
        level_out: dict[str, Any] = {}
        if alert.get("disable"):
            level_out["enabled"] = False
        labels = dict(alert.get("labels") or {})
        if "severity" in labels:
            notes.append(f"{where}.{_key(sloth_key, camel)}.labels.severity: "
                         f"{labels.pop('severity')!r} becomes slogen's "
                         f"{'critical' if level == 'page' else 'warning'} severity")
        if labels:
            level_out["labels"] = label_map(labels, f"{where}.{sloth_key}.labels", notes)
        for extra in sorted(set(alert) - {"disable", "labels"}):
            notes.append(f"{where}.{_key(sloth_key, camel)}.{extra}: not supported, dropped")
        if level_out:
            out[level] = level_out
    return out
