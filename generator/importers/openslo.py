"""Turn OpenSLO v1 documents (Service, SLI, SLO, AlertPolicy) into slogen service specs,
listing every field that has no slogen equivalent instead of dropping it."""

from __future__ import annotations

import re
from typing import Any

from generator.importers.common import Imported, identifier, label_map

API_VERSION = "openslo/v1"
_SELECTOR = re.compile(r"^\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(\{[^{}]*\})?\s*$")


def convert(docs: list[dict[str, Any]], where: str) -> list[Imported]:
    """All SLOs in the documents, one slogen spec per service."""
    by_kind: dict[str, dict[str, tuple[dict[str, Any], str]]] = {}
    for i, doc in enumerate(docs):
        if doc.get("apiVersion") != API_VERSION:
            raise ValueError(f"{where}: document {i}: not OpenSLO (want apiVersion: {API_VERSION})")
        name = str((doc.get("metadata") or {}).get("name", f"doc{i}"))
        loc = f"{where}: {doc.get('kind')} {name}"
        by_kind.setdefault(str(doc.get("kind")), {})[name] = (doc, loc)
    services: dict[str, Imported] = {}
    for name, (doc, loc) in sorted(by_kind.get("SLO", {}).items()):
        spec = doc.get("spec") or {}
        notes: list[str] = []
        service = identifier(str(spec.get("service", "")), f"{loc}.spec.service", notes)
        imported = services.get(service) or _service(service, by_kind.get("Service", {}), notes)
        imported.notes += notes
        slo = _slo(name, spec, by_kind.get("SLI", {}), loc, imported.notes)
        if slo is not None:
            imported.spec["slos"].append(slo)
        services[service] = imported
    for kind in sorted(set(by_kind) - {"SLO", "SLI", "Service"}):
        for _name, (_doc, loc) in sorted(by_kind[kind].items()):
            for imported in services.values():
                imported.notes.append(f"{loc}: not supported; slogen's default burn-rate "
                                      "alerts are used")
    return list(services.values())


def _service(name: str, docs: dict[str, tuple[dict[str, Any], str]],
             notes: list[str]) -> Imported:
    doc, loc = docs.get(name, ({}, ""))
    meta = doc.get("metadata") or {}
    labels = {str(k): str(v[0] if isinstance(v, list) else v)
              for k, v in (meta.get("labels") or {}).items()}
    team = labels.pop("team", None) or labels.pop("owner", None)
    if team is None:
        notes.append(f"service {name}: no team or owner label; team set to {name!r}")
    spec: dict[str, Any] = {"version": "slogen/v1", "service": name,
                            "team": identifier(team or name, f"{loc or name}.labels.team", notes)}
    description = (doc.get("spec") or {}).get("description") or meta.get("displayName")
    if description:
        spec["description"] = str(description)
    if labels:
        spec["labels"] = label_map(labels, f"{loc}.metadata.labels", notes)
    spec["slos"] = []
    return Imported(name, spec, [])


def _slo(name: str, spec: dict[str, Any], slis: dict[str, tuple[dict[str, Any], str]],
         loc: str, notes: list[str]) -> dict[str, Any] | None:
    indicator = spec.get("indicator")
    if indicator is None and spec.get("indicatorRef") in slis:
        indicator = slis[spec["indicatorRef"]][0]
    if indicator is None:
        notes.append(f"{loc}.spec.indicatorRef: SLI {spec.get('indicatorRef')!r} not found; "
                     "SLO skipped")
        return None
    events = _events((indicator.get("spec") or {}), f"{loc} indicator", notes)
    objectives = spec.get("objectives") or []
    if events is None or not objectives:
        if not objectives:
            notes.append(f"{loc}.spec.objectives: none given; SLO skipped")
        return None
    first = objectives[0]
    target = (float(first["targetPercent"]) if "targetPercent" in first
              else float(first["target"]) * 100)
    for j in range(1, len(objectives)):
        notes.append(f"{loc}.spec.objectives[{j}]: slogen takes one objective per SLO; dropped")
    out: dict[str, Any] = {"name": identifier(name, f"{loc}.metadata.name", notes),
                           "objective": round(target, 6), "sli": {"events": events}}
    description = spec.get("description") or first.get("displayName")
    if description:
        out["description"] = str(description)
    windows = spec.get("timeWindow") or []
    if windows:
        out["window"] = str(windows[0].get("duration"))
        if windows[0].get("isRolling") is False:
            notes.append(f"{loc}.spec.timeWindow[0]: calendar windows become rolling windows")
    if spec.get("budgetingMethod", "Occurrences") != "Occurrences":
        notes.append(f"{loc}.spec.budgetingMethod: {spec['budgetingMethod']!r} not supported; "
                     "slogen counts occurrences")
    if spec.get("alertPolicies"):
        notes.append(f"{loc}.spec.alertPolicies: not converted; slogen's default burn-rate "
                     "alerts are used")
    return out


def _events(sli: dict[str, Any], loc: str, notes: list[str]) -> dict[str, str] | None:
    ratio = sli.get("ratioMetric")
    if ratio is None:
        notes.append(f"{loc}: only ratioMetric SLIs convert ({', '.join(sorted(sli)) or 'empty'} "
                     "given); SLO skipped")
        return None
    out = {}
    for key in ("good", "bad", "total"):
        if key not in ratio:
            continue
        source = (ratio[key] or {}).get("metricSource") or {}
        query = str((source.get("spec") or {}).get("query", "")).strip()
        if str(source.get("type", "")).lower() != "prometheus" or not query:
            notes.append(f"{loc}.ratioMetric.{key}: only Prometheus queries convert; SLO skipped")
            return None
        if not ratio.get("counter", True):
            notes.append(f"{loc}.ratioMetric.counter: false (gauges) not supported; SLO skipped")
            return None
        if not _SELECTOR.match(query):
            notes.append(f"{loc}.ratioMetric.{key}: counter query {query!r} is not a plain "
                         "selector; SLO skipped")
            return None
        out[key] = f"sum(rate({query}[{{{{window}}}}]))"
    return out
