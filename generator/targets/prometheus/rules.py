"""Rule dictionaries in Prometheus's rule-file shape, with the labels and annotations every
generated alert carries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from generator.core import naming
from generator.core.model import Service, Severity
from generator.core.promql import dur

Rule = dict[str, Any]


def record(name: str, expr: str, labels: Mapping[str, str] | None = None) -> Rule:
    """A recording rule."""
    rule: Rule = {"record": name, "expr": expr}
    if labels:
        rule["labels"] = dict(sorted(labels.items()))
    return rule


def alert(name: str, expr: str, for_: timedelta, labels: Mapping[str, str],
          annotations: Mapping[str, str], keep_firing_for: timedelta = timedelta(0)) -> Rule:
    """An alerting rule; `for` and `keep_firing_for` are left out when zero, as Prometheus's
    own defaults."""
    rule: Rule = {"alert": name, "expr": expr}
    if for_:
        rule["for"] = dur(for_)
    if keep_firing_for:
        rule["keep_firing_for"] = dur(keep_firing_for)
    rule["labels"] = dict(sorted(labels.items()))
    rule["annotations"] = dict(sorted(annotations.items()))
    return rule


def alert_labels(service: Service, severity: Severity, own: Mapping[str, str]) -> dict[str, str]:
    """The alert's own labels plus severity, service and team, which routing relies on."""
    return {**own, naming.LABEL_SEVERITY: severity.value, naming.LABEL_SERVICE: service.name,
            naming.LABEL_TEAM: service.team}


def alert_annotations(service: Service, summary: str, description: str, runbook: str | None,
                      own: Mapping[str, str]) -> dict[str, str]:
    """Summary, description, runbook and dashboard links; the spec's own annotations win."""
    notes = {
        naming.ANNOTATION_SUMMARY: summary,
        naming.ANNOTATION_DESCRIPTION: description,
        naming.ANNOTATION_DASHBOARD: (service.dashboard.link
                                      or naming.dashboard_path(service.dashboard.uid)),
    }
    if runbook:
        notes[naming.ANNOTATION_RUNBOOK] = runbook
    return {**notes, **own}


def exported(expr: str, labels: list[str]) -> str:
    """`expr` with each of `labels` copied to `exported_<label>`, so rule labels can be set
    without merging series."""
    for label in labels:
        expr = (f'label_replace({expr.strip()}, "{naming.EXPORTED_PREFIX}{label}", "$1", '
                f'"{label}", "(.*)")')
    return expr
