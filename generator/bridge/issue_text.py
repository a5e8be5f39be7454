"""Pure formatting of Alertmanager notifications as GitHub issues (title, body, labels, marker)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BRIDGE_LABEL = "slogen-alert"
PREDICTIVE_LABEL = "predictive-alert"
# Annotations the Prometheus target writes for trend alerts; shown prominently when present.
BREACH_ANNOTATIONS = ("predicted_breach", "breach_in", "predicted_breach_time")
_MARKER_PREFIX = "<!-- slogen-alert-group: "


@dataclass(frozen=True)
class Notification:
    """The parts of an Alertmanager webhook payload the bridge uses."""

    group_key: str
    status: str
    common_labels: Mapping[str, str]
    common_annotations: Mapping[str, str]
    alerts: tuple[Mapping[str, Any], ...]
    external_url: str = ""

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Notification:
        """Read a webhook payload (version 4); raise ValueError when it is not one."""
        if not isinstance(payload, Mapping) or "groupKey" not in payload or "alerts" not in payload:
            raise ValueError("not an Alertmanager webhook payload (no groupKey/alerts)")
        alerts = payload.get("alerts") or []
        if not isinstance(alerts, list) or not all(isinstance(a, Mapping) for a in alerts):
            raise ValueError("alerts must be a list of objects")
        return cls(
            group_key=str(payload["groupKey"]),
            status=str(payload.get("status", "firing")),
            common_labels=_strings(payload.get("commonLabels")),
            common_annotations=_strings(payload.get("commonAnnotations")),
            alerts=tuple(alerts),
            external_url=str(payload.get("externalURL", "")),
        )

    @property
    def firing(self) -> bool:
        """True while any alert of the group fires."""
        return self.status == "firing"


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def group_marker(group_key: str) -> str:
    """Hidden marker in the issue body that ties an issue to one alert group."""
    digest = hashlib.sha256(group_key.encode()).hexdigest()[:16]
    return f"{_MARKER_PREFIX}{digest} -->"


def _label(n: Notification, name: str) -> str:
    value = n.common_labels.get(name)
    if value:
        return value
    values = {str(a.get("labels", {}).get(name, "")) for a in n.alerts} - {""}
    return ", ".join(sorted(values))


def title(n: Notification) -> str:
    """`[CRITICAL] Predictive alert: PoolExhaustion on hive`."""
    severity = (_label(n, "severity") or "unknown").upper()
    kind = "Predictive alert" if _label(n, "alert_type") == "predictive" else "Alert"
    service = _label(n, "service")
    return f"[{severity}] {kind}: {_label(n, 'alertname') or 'alert'}" + (
        f" on {service}" if service else "")


def labels(n: Notification) -> list[str]:
    """Issue labels: the bridge's own, severity, service, metric, predictive."""
    out = {BRIDGE_LABEL}
    for name, prefix in (("severity", "severity-"), ("service", "service-"), ("metric", "metric-")):
        value = n.common_labels.get(name)
        if value:
            out.add(prefix + value)
    if n.common_labels.get("alert_type") == "predictive":
        out.add(PREDICTIVE_LABEL)
    return sorted(out)


def body(n: Notification) -> str:
    """Markdown body: summary, breach time, runbook, labels, annotations, the alerts."""
    ann = n.common_annotations
    lines = [f"## {ann.get('summary') or title(n)}", ""]
    if ann.get("description"):
        lines += [ann["description"], ""]
    for key in BREACH_ANNOTATIONS:
        if ann.get(key):
            lines += [f"**Predicted breach:** {ann[key]}", ""]
    if ann.get("runbook_url"):
        lines += [f"**Runbook:** {ann['runbook_url']}", ""]
    if ann.get("dashboard"):
        lines += [f"**Dashboard:** {ann['dashboard']}", ""]
    lines += ["### Labels", "", "| label | value |", "| --- | --- |"]
    lines += [f"| {k} | {_cell(v)} |" for k, v in sorted(n.common_labels.items())]
    other = {k: v for k, v in ann.items() if k not in ("summary", "description")}
    if other:
        lines += ["", "### Annotations", "", "| annotation | value |", "| --- | --- |"]
        lines += [f"| {k} | {_cell(v)} |" for k, v in sorted(other.items())]
    lines += ["", "### Alerts", ""] + _alert_lines(n.alerts)
    lines += ["", group_marker(n.group_key)]
    return "\n".join(lines) + "\n"


def repeat_comment(n: Notification) -> str:
    """Comment for a repeated notification of an open issue."""
    return "Still firing:\n\n" + "\n".join(_alert_lines(n.alerts)) + "\n"


def resolved_comment(n: Notification) -> str:
    """Comment written just before the issue is closed."""
    ends = sorted(str(a.get("endsAt", "")) for a in n.alerts if a.get("endsAt"))
    when = f" at {ends[-1]}" if ends else ""
    return f"Resolved{when}; closing.\n"


def _alert_lines(alerts: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for alert in alerts:
        alert_labels = alert.get("labels", {}) if isinstance(alert.get("labels"), Mapping) else {}
        shown = ", ".join(f"{k}={v}" for k, v in sorted(alert_labels.items()))
        status, since = alert.get("status", "firing"), alert.get("startsAt", "?")
        lines.append(f"- {status} since {since}: {shown}")
    return lines


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def find_issue(issues: Sequence[Mapping[str, Any]], group_key: str) -> Mapping[str, Any] | None:
    """The open issue that carries this group's marker, if any."""
    marker = group_marker(group_key)
    for issue in issues:
        if marker in str(issue.get("body") or ""):
            return issue
    return None
