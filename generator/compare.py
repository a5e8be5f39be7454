"""Compare two compiled spec sets (model and rendered files) for a pull-request summary.

Models are compared, not text: each object becomes a row of named, formatted fields keyed by a
stable id, so the summary says `objective 99.5% -> 99.9%` instead of showing a YAML diff.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import PurePath
from typing import Any

from ruamel.yaml import YAML

from generator.core import catalog
from generator.core import model as m
from generator.core.durations import format_duration

Fields = dict[str, str]
SECTIONS = ("SLOs", "Alerts", "Prometheus rules", "Health checks", "Policies", "Routes",
            "Receivers", "Dashboards", "Settings")


@dataclass(frozen=True)
class Snapshot:
    """Everything a reviewer compares, as `section -> id -> field -> text`, plus rule counts."""

    objects: Mapping[str, Mapping[str, Fields]]
    counts: Mapping[str, int]
    files: Mapping[str, str]  # relative path -> sha256 of content


@dataclass(frozen=True)
class Change:
    """One object added, removed or changed; `fields` holds (old, new) per differing field."""

    section: str
    key: str
    status: str  # "added" | "removed" | "changed"
    fields: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Report:
    """The whole comparison."""

    changes: tuple[Change, ...]
    counts: tuple[tuple[str, int, int], ...]
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.changes or any(self.files.values())
                    or any(old != new for _, old, new in self.counts))


def _windows(slo: m.Slo, level: str) -> str:
    parts = [f"{w.factor:g}x {format_duration(w.long)}/{format_duration(w.short)}"
             + (f" for {format_duration(w.for_)}" if w.for_ else "")
             for w in slo.burn_windows if w.level == level]
    return ", ".join(parts) or "off"


def _slo_fields(slo: m.Slo) -> Fields:
    return {"objective": f"{slo.objective:g}%", "window": format_duration(slo.window),
            "sli": slo.sli.kind.value, "errors": slo.sli.errors_query,
            "total": slo.sli.total_query, "page": _windows(slo, "page"),
            "ticket": _windows(slo, "ticket"), "alert": slo.alert_name,
            "description": slo.description or "-", "labels": _pairs(slo.labels)}


def _pairs(mapping: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(mapping.items())) or "-"


def _check_fields(check: m.HealthCheck) -> Fields:
    alert = "-" if check.alert is None else (
        f"{check.alert_severity.value} when {check.alert.op.value} {check.alert.threshold:g}"
        f" for {format_duration(check.alert_for)}")
    return {"database": check.database, "every": format_duration(check.every),
            "timeout": format_duration(check.timeout), "sql": check.sql.strip(),
            "values": _opt(check.values), "labels": _opt(check.labels),
            "compare": "-" if check.compare_sql is None else
            f"{check.compare_database or check.database}: {check.compare_sql.strip()}",
            "tolerance": f"{check.tolerance:g}", "alert": alert,
            "description": check.description or "-"}


def _policy_fields(policy: m.Policy) -> Fields:
    fields = {"slos": _opt(policy.slos), "block below budget": _opt(
                  None if policy.budget_remaining_below is None
                  else f"{policy.budget_remaining_below:g}%"),
              "block on page burn": str(policy.page_burn), "watch": _opt(policy.watch),
              "deployed at": _opt(policy.deployed_at)}
    for trigger in policy.triggers:
        c = trigger.condition
        fields[f"trigger {trigger.name}"] = (f"{trigger.expr} {c.op.value} {c.threshold:g} "
                                             f"for {format_duration(trigger.for_)}")
    return fields


def _settings(model: m.Model) -> dict[str, Fields]:
    """Global settings that change generated files without being any one object."""
    p = model.prometheus
    out: dict[str, Fields] = {
        "exporter": {"listen": model.exporter.listen},
        "prometheus": {f.name: _opt(getattr(p, f.name)) for f in dataclass_fields(p)},
    }
    for name, db in model.databases.items():
        # A literal URL may hold a password: only ${ENV} references are shown.
        url = db.url if db.url.startswith("${") else "(literal URL, not shown)"
        out[f"database {name}"] = {"url": url, "pool_size": str(db.pool_size)}
    for ds in model.grafana.datasources:
        out[f"datasource {ds.uid}"] = {"name": ds.name, "type": ds.type.value, "url": ds.url,
                                       "database": _opt(ds.database),
                                       "default": str(ds.default)}
    for folder in model.grafana.folders:
        out[f"folder {folder.uid}"] = {"title": folder.title}
    for svc in model.services:
        if svc.scrape is not None:
            s = svc.scrape
            out[f"scrape {svc.name}"] = {"job": s.job, "targets": _opt(s.targets),
                                         "path": s.metrics_path, "scheme": s.scheme,
                                         "interval": _opt(s.interval)}
    return out


def _alert_fields(row: catalog.AlertRow) -> Fields:
    return {"kind": row.kind, "fires when": row.condition, "for": format_duration(row.for_),
            "receivers": ", ".join(row.receivers), "runbook": row.runbook or "-",
            "time to notify": format_duration(row.timing.total),
            "mttd": format_duration(row.mttd.within) if row.mttd else "-"}


def _opt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "total_seconds"):
        return format_duration(value)
    return str(value)


def _route_objects(model: m.Model) -> dict[str, Fields]:
    r = model.routing
    routes: dict[str, Fields] = {}
    if r is not None:
        routes["default"] = {"receiver": r.receiver, "group_by": _opt(r.group_by),
                             "group_wait": _opt(r.group_wait),
                             "group_interval": _opt(r.group_interval),
                             "repeat_interval": _opt(r.repeat_interval)}
        for sev, route in sorted(r.severities.items()):
            routes[f"severity {sev.value}"] = {
                k: _opt(getattr(route, k)) for k in
                ("receivers", "group_wait", "group_interval", "repeat_interval", "active_during")}
        for o in r.overrides:
            key = "match " + ", ".join(f"{k}={v}" for k, v in sorted(o.match.items()))
            routes[key] = {"receivers": _opt(o.receivers), "continue": _opt(o.continue_),
                           "group_by": _opt(o.group_by)}
    for svc in model.services:
        if svc.routing is not None:
            for sev, names in sorted(svc.routing.receivers.items()):
                routes[f"service {svc.name} {sev.value}"] = {
                    "receivers": _opt(names), "continue": _opt(svc.routing.continue_)}
    return routes


def _receiver_fields(rec: m.Receiver) -> Fields:
    # Only the kind and where it goes: URLs may carry tokens and never belong in a PR comment.
    for kind, where in (("slack", "channel"), ("email", "to"), ("pagerduty", None),
                        ("webhook", None)):
        spec = getattr(rec, kind)
        if spec is not None:
            return {"type": kind, "to": str(getattr(spec, where)) if where else "-",
                    "send_resolved": str(rec.send_resolved)}
    return {}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _panel_text(panel: Mapping[str, Any]) -> str:
    """A panel in a few words: type, unit and queries, then a short hash of all the rest."""
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
    exprs = [str(t.get("expr") or t.get("rawSql") or "") for t in panel.get("targets", [])]
    words = [str(panel.get("type", "")), *([f"unit {unit}"] if unit else []),
             *[e for e in exprs if e]]
    return "; ".join(words) + f" #{_sha(json.dumps(panel, sort_keys=True))[:6]}"


def _board_fields(board: Mapping[str, Any], text: str) -> Fields:
    fields = {"title": str(board.get("title", "")),
              "panels": str(len(board.get("panels", [])))}
    seen: dict[str, int] = {}
    for panel in board.get("panels", []):
        title = str(panel.get("title") or panel.get("type", "panel"))
        seen[title] = seen.get(title, 0) + 1
        name = title if seen[title] == 1 else f"{title} ({seen[title]})"
        fields[f"panel {name}"] = _panel_text(panel)
    # Anything outside the panels (variables, links, time range) still shows as a change.
    rest = {k: v for k, v in board.items() if k != "panels"}
    fields["dashboard settings"] = f"#{_sha(json.dumps(rest, sort_keys=True))[:6]}"
    return fields


DASHBOARD_JSON = "grafana/provisioning/dashboards/json/"


def _dashboard_objects(model: m.Model, files: Mapping[PurePath, str]) -> dict[str, Fields]:
    """Dashboards as rendered for provisioning (every one, derived ones too), panel by panel;
    from the model when no Grafana target wrote any."""
    out = {}
    for path, text in files.items():
        if path.as_posix().startswith(DASHBOARD_JSON) and path.suffix == ".json":
            out[path.stem] = _board_fields(json.loads(text), text)
    if out:
        return out
    return {svc.dashboard.uid: {"title": svc.dashboard.title,
                                "panels": str(len(svc.dashboard.panels)),
                                "content hash": _sha(repr(svc.dashboard))}
            for svc in model.services}


def _walk(data: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(data, Mapping):
        yield data
        for value in data.values():
            yield from _walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value)


def rule_counts(files: Mapping[PurePath, str]) -> dict[str, int]:
    """Alerting rules, recording rules and distinct recorded series names in rule files."""
    yaml = YAML(typ="safe")
    alerts = records = 0
    series: set[str] = set()
    for path, text in files.items():
        if path.parts[:1] != ("prometheus",) or "tests" in path.parts or path.suffix != ".yaml":
            continue
        for node in _walk(yaml.load(io.StringIO(text))):
            if "alert" in node and "expr" in node:
                alerts += 1
            elif "record" in node and "expr" in node:
                records += 1
                series.add(str(node["record"]))
    return {"alerting rules": alerts, "recording rules": records,
            "distinct recorded metric names": len(series)}


def _rule_objects(files: Mapping[PurePath, str]) -> dict[str, Fields]:
    """Every rule of the plain rule files, keyed by file, group and name (and labels that
    tell same-named rules apart), as Prometheus will load them."""
    yaml = YAML(typ="safe")
    out: dict[str, Fields] = {}
    for path, text in files.items():
        if path.parent.as_posix() != "prometheus" or not path.name.endswith(".rules.yaml"):
            continue
        for group in (yaml.load(io.StringIO(text)) or {}).get("groups", []):
            for rule in group.get("rules", []):
                name = rule.get("alert") or rule.get("record")
                labels = rule.get("labels") or {}
                tell = {k: labels[k] for k in ("severity", "window", "sli_window", "quantile")
                        if k in labels}
                key = f"{group.get('name')}: {name}" + (f" {_pairs(tell)}" if tell else "")
                out[key] = {"expr": str(rule.get("expr", "")).strip(),
                            "for": str(rule.get("for", "-")), "labels": _pairs(labels),
                            "annotations": _pairs(rule.get("annotations") or {})}
            out[f"{group.get('name')} (group)"] = {
                "interval": str(group.get("interval", "-")),
                "rules": str(len(group.get("rules", [])))}
    return out


def snapshot(model: m.Model, files: Mapping[PurePath, str]) -> Snapshot:
    """The comparable view of one compiled spec set."""
    objects: dict[str, dict[str, Fields]] = {
        "SLOs": {slo.id: _slo_fields(slo) for svc in model.services for slo in svc.slos},
        "Alerts": {row.key: _alert_fields(row) for svc in model.services
                   for row in catalog.service_rows(model, svc)},
        "Prometheus rules": _rule_objects(files),
        "Health checks": {c.id: _check_fields(c) for svc in model.services
                          for c in svc.health_checks},
        "Policies": {f"{svc.name}/{p.name}": _policy_fields(p) for svc in model.services
                     for p in svc.policies},
        "Routes": _route_objects(model),
        "Receivers": {r.name: _receiver_fields(r) for r in model.receivers},
        "Dashboards": _dashboard_objects(model, files),
        "Settings": _settings(model),
    }
    return Snapshot(objects, rule_counts(files),
                    {p.as_posix(): _sha(t) for p, t in files.items()})


def _section(name: str, old: Mapping[str, Fields], new: Mapping[str, Fields]) -> list[Change]:
    changes = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            added = tuple((f, "", v) for f, v in new[key].items())
            changes.append(Change(name, key, "added", added))
        elif key not in new:
            changes.append(Change(name, key, "removed"))
        else:
            diff = tuple((f, old[key].get(f, "-"), new[key].get(f, "-"))
                         for f in dict.fromkeys([*old[key], *new[key]])
                         if old[key].get(f) != new[key].get(f))
            if diff:
                changes.append(Change(name, key, "changed", diff))
    return changes


def compare(old: Snapshot, new: Snapshot) -> Report:
    """What changed from `old` to `new`."""
    changes = [c for s in SECTIONS
               for c in _section(s, old.objects.get(s, {}), new.objects.get(s, {}))]
    counts = tuple((k, old.counts.get(k, 0), new.counts.get(k, 0))
                   for k in dict.fromkeys([*old.counts, *new.counts]))
    files = {
        "added": tuple(sorted(set(new.files) - set(old.files))),
        "removed": tuple(sorted(set(old.files) - set(new.files))),
        "changed": tuple(sorted(p for p in set(old.files) & set(new.files)
                                if old.files[p] != new.files[p])),
    }
    return Report(tuple(changes), counts, files)
