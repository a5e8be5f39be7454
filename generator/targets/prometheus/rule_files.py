"""Prometheus target: one rule file per service with its SLO, alert and recording rules.

The plain rule files are always written: promtool checks and the generated unit tests run on
them. `prometheus.format` (or `generate --format`) adds the same groups in the layout a cluster
deploys: a `PrometheusRule` manifest per service for the Prometheus operator, or a mimirtool
namespace file per service (namespace `slogen-<service>`) for a Mimir / Cortex ruler.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from generator.core import naming
from generator.core.model import Model, PrometheusSettings, RuleFormat, Service, Slo, Source
from generator.core.promql import dur
from generator.targets.dump import yaml_text
from generator.targets.prometheus.alert_rules import alert_rules
from generator.targets.prometheus.rules import Rule, record
from generator.targets.prometheus.slo_rules import (
    SLOW_MAX,
    SLOW_TIMES,
    burn_condition_rules,
    forget_alerts,
    shared_alerts,
    slo_rule_sets,
)

OUT_DIR = PurePath("prometheus")
# A rule group evaluates its rules one after another: at 1,000 SLOs one group of ~5,000 rules
# could outlast its interval on a loaded machine. A service with more SLOs than this gets a
# pair of SLO groups (every evaluation, and the slow windows) per run of this many; the
# groups of a smaller service keep their names.
SLOS_PER_GROUP = 100
NAMESPACE_PREFIX = "slogen-"
OPERATOR_API = "monitoring.coreos.com/v1"


def rules_path(service: str) -> PurePath:
    """Where a service's plain rule file goes under out/."""
    return OUT_DIR / f"{service}.rules.yaml"


def render(model: Model) -> dict[PurePath, str]:
    """Rule files, one per service with at least one rule."""
    files = {}
    fmt = model.prometheus.format
    lay = layout(model.prometheus)
    for service in model.services:
        groups = rule_groups(service, lay)
        if not groups:
            continue
        sources = [service.source_file]
        files[rules_path(service.name)] = yaml_text({"groups": groups}, sources)
        if fmt is RuleFormat.OPERATOR:
            files[OUT_DIR / "operator" / f"{service.name}.yaml"] = yaml_text(
                _manifest(service, groups), sources)
        elif fmt is RuleFormat.MIMIR:
            namespace = NAMESPACE_PREFIX + service.name
            files[OUT_DIR / "mimir" / f"{namespace}.yaml"] = yaml_text(
                {"namespace": namespace, "groups": groups}, sources)
    return files


def _manifest(service: Service, groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": OPERATOR_API,
        "kind": "PrometheusRule",
        "metadata": {
            "name": NAMESPACE_PREFIX + service.name,
            "labels": {"app.kubernetes.io/managed-by": "slogen", "slogen.dev/service": service.name,
                       "team": service.team},
        },
        "spec": {"groups": groups},
    }


@dataclass(frozen=True)
class Layout:
    """How SLO rules are laid out: alert windows recorded or inline, and the interval of the
    group holding the windows of a day or more (None: they stay in the main SLO group)."""

    inline: bool = True
    slow: timedelta | None = None


def layout(settings: PrometheusSettings) -> Layout:
    """The layout `_global.yaml`'s prometheus settings ask for."""
    step = settings.evaluation_interval
    times = min(SLOW_MAX // step, SLOW_TIMES) if step else 0
    return Layout(settings.windows == "inline", step * times if times >= 2 else None)


def rule_groups(service: Service, lay: Layout = Layout()) -> list[dict[str, Any]]:
    """The service's rule groups: SLO rules first, then named groups in name order.

    Rules without a group go to a group named after the service. Inside a group, user recording
    rules come before alerts so alerts on them read the value of the same evaluation.
    """
    intervals = dict(service.rule_group_intervals)
    if lay.slow is not None:
        intervals.update((naming.slo_window_group(service.name, part), lay.slow)
                         for part in range(len(slo_parts(service)) + 1))
    return [_group(name, [rule for rule, _ in rules], intervals)
            for name, rules in _sourced_groups(service, lay).items()]


def rule_sources(service: Service, lay: Layout = Layout()) -> dict[tuple[str, int], Source]:
    """Spec location of every rule, by (group name, 1-based rule index) as promtool counts."""
    return {(name, i): src for name, rules in _sourced_groups(service, lay).items()
            for i, (_, src) in enumerate(rules, start=1)}


# While `shared_rules()` is active: (id of service, layout) -> (service, its sourced groups).
# The rule files, their unit tests and the series-writer check all read every service's rules;
# building them once per generate saves a third of a full generate.
_MEMO: list[dict[tuple[int, Layout], tuple[Service, dict[str, list[tuple[Rule, Source]]]]]] = []


@contextlib.contextmanager
def shared_rules() -> Iterator[None]:
    """Build each service's rules once inside the block (the services must not change in it)."""
    _MEMO.append({})
    try:
        with shared_alerts():
            yield
    finally:
        _MEMO.pop()


def forget(service: Service) -> None:
    """Drop `service`'s memoized rules (once its files are written), keeping memory flat."""
    if _MEMO:
        for key in [k for k in _MEMO[-1] if k[0] == id(service)]:
            del _MEMO[-1][key]
    forget_alerts(service.slos)


def _sourced_groups(service: Service, lay: Layout) -> dict[str, list[tuple[Rule, Source]]]:
    if not _MEMO:
        return _build_sourced_groups(service, lay)
    key = (id(service), lay)
    hit = _MEMO[-1].get(key)
    if hit is None or hit[0] is not service:
        hit = _MEMO[-1][key] = (service, _build_sourced_groups(service, lay))
    return hit[1]


def slo_parts(service: Service) -> list[tuple[Slo, ...]]:
    """The service's SLOs in the rule groups they go to: all in one group up to SLOS_PER_GROUP,
    else runs of SLOS_PER_GROUP in spec order (the last one shorter), so that SLOs appended
    to a spec leave the groups of the others as they were."""
    slos = service.slos
    if len(slos) <= SLOS_PER_GROUP:
        return [tuple(slos)]
    return [tuple(slos[i:i + SLOS_PER_GROUP]) for i in range(0, len(slos), SLOS_PER_GROUP)]


def _build_sourced_groups(service: Service,
                          lay: Layout) -> dict[str, list[tuple[Rule, Source]]]:
    groups: dict[str, list[tuple[Rule, Source]]] = {}
    parts = slo_parts(service)
    for number, slos in enumerate(parts, start=1):
        part = number if len(parts) > 1 else 0
        fast: list[tuple[Rule, Source]] = []
        alerts: list[tuple[Rule, Source]] = []
        slow: list[tuple[Rule, Source]] = []
        for slo in slos:
            records, own_alerts, later = slo_rule_sets(slo, service, lay.inline, lay.slow)
            fast += [(r, slo.source) for r in records]
            alerts += [(r, slo.source) for r in own_alerts]
            (slow if lay.slow is not None else fast).extend((r, slo.source) for r in later)
        # Rules in a group run in order, each seeing the earlier ones' results of the same
        # evaluation: the base rates, then the burn conditions of the group's SLOs, then the
        # alerts.
        fast += [(r, slo.source)
                 for r, slo in burn_condition_rules(service, lay.inline, slos, part)]
        fast += alerts
        if fast:
            groups[naming.slo_rule_group(service.name, part)] = fast
        if slow:
            groups[naming.slo_window_group(service.name, part)] = slow
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
