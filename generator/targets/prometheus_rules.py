"""Prometheus target: one rule file per service with its SLO, alert and recording rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from generator import naming
from generator.model import Model, Service, Source
from generator.targets.dump import yaml_text
from generator.targets.prometheus.alert_rules import alert_rules
from generator.targets.prometheus.promql import dur
from generator.targets.prometheus.rules import Rule, record
from generator.targets.prometheus.slo_rules import slo_rules

OUT_DIR = PurePath("prometheus")


def rules_path(service: str) -> PurePath:
    """Where a service's plain rule file goes under out/."""
    return OUT_DIR / f"{service}.rules.yaml"


def render(model: Model) -> dict[PurePath, str]:
    """Rule files, one per service with at least one rule."""
    files = {}
    for service in model.services:
        groups = rule_groups(service, inline=model.prometheus.windows == "inline")
        if groups:
            files[rules_path(service.name)] = yaml_text({"groups": groups}, [service.source_file])
    return files


def rule_groups(service: Service, inline: bool = False) -> list[dict[str, Any]]:
    """The service's rule groups: SLO rules first, then named groups in name order.

    Rules without a group go to a group named after the service. Inside a group, user recording
    rules come before alerts so alerts on them read the value of the same evaluation.
    """
    return [_group(name, [rule for rule, _ in rules], service.rule_group_intervals)
            for name, rules in _sourced_groups(service, inline).items()]


def rule_sources(service: Service, inline: bool = False) -> dict[tuple[str, int], Source]:
    """Spec location of every rule, by (group name, 1-based rule index) as promtool counts."""
    return {(name, i): src for name, rules in _sourced_groups(service, inline).items()
            for i, (_, src) in enumerate(rules, start=1)}


def _sourced_groups(service: Service, inline: bool) -> dict[str, list[tuple[Rule, Source]]]:
    groups: dict[str, list[tuple[Rule, Source]]] = {}
    if service.slos:
        groups[naming.slo_rule_group(service.name)] = [
            (r, slo.source) for slo in service.slos for r in slo_rules(slo, service, inline)]
    named: dict[str, list[tuple[Rule, Source]]] = {}
    for rec in service.recordings:
        named.setdefault(rec.group or service.name, []).append(
            (record(rec.record, rec.expr, rec.labels), rec.source))
    for a in service.alerts:
        named.setdefault(a.group or service.name, []).extend(
            (r, a.source) for r in alert_rules(a, service))
    groups.update(sorted(named.items()))
    return groups


def _group(name: str, rules: list[Rule], intervals: Mapping[str, timedelta]) -> dict[str, Any]:
    group: dict[str, Any] = {"name": name}
    if name in intervals:
        group["interval"] = dur(intervals[name])
    group["rules"] = rules
    return group
