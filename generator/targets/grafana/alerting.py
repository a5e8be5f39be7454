"""Grafana-managed alert rules, written in both of Grafana's formats from one typed definition.

The HTTP provisioning API and file provisioning describe the same rule differently (folder uid
against folder title, interval in seconds against a duration string, group name on every rule
against once per group), and an export pasted into the API fails. So each rule is built once as
a `Rule` and serialised twice: `to_api` for `grafana/api/rule-groups/<folderUid>/<group>.json`
(the body of PUT /api/v1/provisioning/folder/{folderUid}/rule-groups/{group}) and `to_file` for
`grafana/provisioning/alerting/rules.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from generator.core import model as m
from generator.core import naming
from generator.core.durations import format_duration
from generator.core.model import Op
from generator.targets.dump import json_text, yaml_text
from generator.targets.grafana import dashboard as grafana_dashboard
from generator.targets.grafana import objects as grafana_objects

EXPR_UID = "__expr__"
RULES_FILE = grafana_objects.PROVISIONING / "alerting" / "rules.yaml"
GROUPS_DIR = grafana_objects.API / "rule-groups"
CONDITION = "C"
# Evaluation settings Grafana's own editor writes for a query; kept so an exported rule matches.
QUERY_DEFAULTS = {"intervalMs": 1000, "maxDataPoints": 43200}
# How a rule links to a dashboard panel over the HTTP API (Grafana turns the file format's
# dashboardUid/panelId fields into these annotations).
PANEL_LINK = ("__dashboardUid__", "__panelId__")
_EVALUATORS = {Op.ABOVE: "gt", Op.BELOW: "lt", Op.OUTSIDE: "outside_range"}


@dataclass(frozen=True)
class Query:
    """One entry of a rule's `data`: a datasource query or a server-side expression."""

    ref_id: str
    datasource_uid: str
    datasource_type: str
    model: Mapping[str, Any]
    seconds_from: int = 0
    seconds_to: int = 0

    def to_json(self) -> dict[str, Any]:
        """The same JSON in both formats; the time range is in seconds before now."""
        return {
            "refId": self.ref_id, "queryType": "", "datasourceUid": self.datasource_uid,
            "relativeTimeRange": {"from": self.seconds_from, "to": self.seconds_to},
            "model": {**self.model, "refId": self.ref_id,
                      "datasource": {"type": self.datasource_type, "uid": self.datasource_uid}},
        }


@dataclass(frozen=True)
class Rule:
    """An alert rule in neither format yet."""

    uid: str
    title: str
    data: tuple[Query, ...]
    no_data: str
    exec_error: str
    for_: timedelta
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    panel: tuple[str, int] | None = None  # (dashboard uid, panel id) the rule links to

    def _common(self) -> dict[str, Any]:
        return {
            "uid": self.uid, "title": self.title, "condition": CONDITION,
            "data": [q.to_json() for q in self.data], "noDataState": self.no_data,
            "execErrState": self.exec_error, "for": format_duration(self.for_),
            "labels": dict(self.labels), "annotations": dict(self.annotations),
            "isPaused": False,
        }

    def to_api(self, folder_uid: str, group: str) -> dict[str, Any]:
        """ProvisionedAlertRule: the rule names its org, folder uid and group itself; the
        panel link is a pair of annotations."""
        rule = self._common() | {"orgID": grafana_objects.ORG_ID, "folderUID": folder_uid,
                                 "ruleGroup": group}
        if self.panel is not None:
            rule["annotations"] = {**rule["annotations"], PANEL_LINK[0]: self.panel[0],
                                   PANEL_LINK[1]: str(self.panel[1])}
        return rule

    def to_file(self) -> dict[str, Any]:
        """A rule inside a provisioning file's group, which holds folder and group instead;
        the panel link is a pair of fields."""
        rule = self._common()
        if self.panel is not None:
            rule |= {"dashboardUid": self.panel[0], "panelId": self.panel[1]}
        return rule


@dataclass(frozen=True)
class RuleGroup:
    """Rules evaluated together in one folder at one interval."""

    folder_uid: str
    folder_title: str
    name: str
    interval: timedelta
    rules: tuple[Rule, ...]

    def to_api(self) -> dict[str, Any]:
        """AlertRuleGroup: interval in integer seconds, folder by uid."""
        return {"title": self.name, "folderUid": self.folder_uid,
                "interval": int(self.interval.total_seconds()),
                "rules": [r.to_api(self.folder_uid, self.name) for r in self.rules]}

    def to_file(self) -> dict[str, Any]:
        """A provisioning file group: interval as a duration string, folder by title, and
        every `$` doubled, since Grafana expands `$VAR` in these files (`$$` is a literal `$`)."""
        group = {"orgId": grafana_objects.ORG_ID, "name": self.name, "folder": self.folder_title,
                 "interval": format_duration(self.interval),
                 "rules": [r.to_file() for r in self.rules]}
        return {key: escape_dollars(value) for key, value in group.items()}


def escape_dollars(data: Any) -> Any:
    """Double every `$` in string values, so `$B` or `{{ $value }}` survive env expansion."""
    if isinstance(data, dict):
        return {k: escape_dollars(v) for k, v in data.items()}
    if isinstance(data, list):
        return [escape_dollars(v) for v in data]
    return data.replace("$", "$$") if isinstance(data, str) else data


def query(alert: m.GrafanaAlert) -> Query:
    """A: the SQL or PromQL query over the alert's range."""
    if alert.sql is not None:
        # Ends in a newline as YAML literal blocks keep one, so both formats carry the same SQL.
        body: dict[str, Any] = {"rawSql": alert.sql.strip() + "\n", "rawQuery": True,
                                "editorMode": "code", "format": "time_series"}
    else:
        body = {"expr": alert.expr, "editorMode": "code", "range": True, "instant": False}
    return Query("A", alert.datasource_uid, alert.datasource_type.value,
                 body | QUERY_DEFAULTS, int(alert.range.total_seconds()), 0)


def reduce(alert: m.GrafanaAlert) -> Query:
    """B: one number per series; empty points are dropped so a gap is not a zero."""
    return Query("B", EXPR_UID, EXPR_UID,
                 {"type": "reduce", "expression": "A", "reducer": alert.reduce,
                  "settings": {"mode": "dropNN"}} | QUERY_DEFAULTS)


def threshold(alert: m.GrafanaAlert) -> Query:
    """C: the condition on B. Equality has no threshold evaluator, so it is a math expression."""
    cond = alert.condition
    if cond.op is Op.EQUALS:
        body: dict[str, Any] = {"type": "math", "expression": f"$B == {cond.threshold:g}"}
    else:
        params = [cond.threshold] if cond.high is None else [cond.threshold, cond.high]
        body = {"type": "threshold", "expression": "B",
                "conditions": [{"evaluator": {"type": _EVALUATORS[cond.op], "params": params}}]}
    return Query(CONDITION, EXPR_UID, EXPR_UID, body | QUERY_DEFAULTS)


def rule(alert: m.GrafanaAlert, panel: tuple[str, int] | None = None) -> Rule:
    """The rule of one spec alert: A -> B -> C, labels for routing, annotations for people,
    and a link to `panel` (dashboard uid, panel id) when there is one."""
    labels = {**alert.labels, naming.LABEL_SERVICE: alert.service, naming.LABEL_TEAM: alert.team,
              naming.LABEL_SEVERITY: alert.severity.value,
              naming.GRAFANA_MANAGED_LABEL: naming.GRAFANA_MANAGED_VALUE}
    annotations = {**alert.annotations, "summary": alert.summary,
                   "description": alert.description}
    if alert.runbook:
        annotations["runbook_url"] = alert.runbook
    return Rule(alert.uid, alert.title, (query(alert), reduce(alert), threshold(alert)),
                alert.no_data, alert.exec_error, alert.for_, dict(sorted(labels.items())),
                dict(sorted(annotations.items())), panel)


def rule_groups(model: m.Model) -> list[RuleGroup]:
    """Every group, by folder and name (the spec checks that a group's rules share `every`)."""
    titles = {f.uid: f.title for f in model.grafana.folders}
    panels = grafana_dashboard.alert_panels(model)
    grouped: dict[tuple[str, str], list[m.GrafanaAlert]] = {}
    for service in model.services:
        for alert in service.grafana_alerts:
            grouped.setdefault((alert.folder_uid, alert.group), []).append(alert)
    return [RuleGroup(folder, titles.get(folder, folder), name,
                      min(a.every for a in alerts),
                      tuple(rule(a, panels.get(a.service))
                            for a in sorted(alerts, key=lambda a: a.uid)))
            for (folder, name), alerts in sorted(grouped.items())]


def render(model: m.Model) -> dict[PurePath, str]:
    """Rule groups as API bodies and as one provisioning file."""
    groups = rule_groups(model)
    retired = sorted(model.previous.rule_uids - {r.uid for g in groups for r in g.rules})
    if not groups and not retired:
        return {}
    files = {GROUPS_DIR / g.folder_uid / f"{g.name}.json": json_text(g.to_api()) for g in groups}
    sources = [s.source_file for s in model.services if s.grafana_alerts]
    document: dict[str, Any] = {"apiVersion": 1}
    if groups:
        document["groups"] = [g.to_file() for g in groups]
    if retired:  # the file provisioner only adds: rules the specs dropped are deleted by name
        document["deleteRules"] = [{"orgId": grafana_objects.ORG_ID, "uid": uid}
                                   for uid in retired]
    files[RULES_FILE] = yaml_text(grafana_objects.sorted_keys(document),
                                  [model.global_file, *sources])
    return files
