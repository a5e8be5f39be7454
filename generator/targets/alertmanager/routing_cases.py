"""Routing test cases (label set -> expected receivers) and routing lint, both from the specs.

Cases cover every declared route plus the label set of every declared alert; the expected
receivers come from the spec's meaning (`routing.resolve`), not from the rendered config, so
running them against Alertmanager proves the rendering.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from generator.core import naming
from generator.core.model import Model, Route, RouteTree, Service, alert_tiers
from generator.core.routing import resolve

PROBE_ALERTNAME = "SlogenRoutingProbe"


@dataclass(frozen=True)
class RoutingCase:
    """One routing test: alerts with `labels` must reach exactly `receivers`, in this order."""

    name: str
    labels: Mapping[str, str]
    receivers: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """A routing problem found without running anything; `error` ones fail generation."""

    message: str
    error: bool


def routing_cases(model: Model, tree: RouteTree) -> list[RoutingCase]:
    """One case per route, one for the default receiver, one per declared alert and severity
    that routes on labels of its own: alerts of a service whose labels agree on every label a
    route matches on (its SLOs, usually) take the same path, so the first stands for all."""
    probes = [("default receiver", {naming.LABEL_ALERTNAME: PROBE_ALERTNAME})]
    probes += [(f"route {r.origin}", _route_labels(r)) for r in tree.routes]
    routed = {naming.LABEL_SERVICE} | {k for r in tree.routes for k, _ in (*r.matchers, *r.implied)}
    seen: set[tuple[tuple[str, str | None], ...]] = set()
    for name, labels in sorted(_alert_label_sets(model), key=lambda p: p[0]):
        key = tuple((k, labels.get(k)) for k in sorted(routed))
        if key not in seen:
            seen.add(key)
            probes.append((name, labels))
    return [RoutingCase(name, dict(sorted(labels.items())), resolve(tree, labels))
            for name, labels in probes]


def findings(model: Model, tree: RouteTree) -> list[Finding]:
    """Unreachable routes (errors); unused receivers and intervals, overrides no alert meets."""
    found = [Finding(m, error=True) for m in _unreachable(tree)]
    used = {tree.receiver} | {r for route in tree.routes for r in route.receivers}
    found += [Finding(f"receiver {r.name!r} is declared but no route sends to it", error=False)
              for r in model.receivers if r.name not in used]
    active = {route.active_during for route in tree.routes}
    found += [Finding(f"time interval {name!r} is declared but no route is active_during it",
                      error=False)
              for name in tree.time_intervals if name not in active]
    label_sets = [labels for _, labels in _alert_label_sets(model)]
    for route in tree.routes:
        if ".overrides[" in route.origin and not any(
                _matches(route, labels) for labels in label_sets):
            found.append(Finding(f"{route.origin}: no alert declared in the specs matches "
                                 f"{_matchers_text(route)}", error=False))
    return found


def _unreachable(tree: RouteTree) -> Iterator[str]:
    for i, route in enumerate(tree.routes):
        labels = _route_labels(route)
        for earlier in tree.routes[:i]:
            if not earlier.continue_ and _matches(earlier, labels):
                yield (f"{route.origin}: route is never reached: every alert it matches stops "
                       f"at {earlier.origin} ({_matchers_text(earlier)}, continue: false)")
                break


def _route_labels(route: Route) -> dict[str, str]:
    return {naming.LABEL_ALERTNAME: PROBE_ALERTNAME, **dict(route.implied), **dict(route.matchers)}


def _matches(route: Route, labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in route.matchers)


def _matchers_text(route: Route) -> str:
    return ", ".join(f'{k}="{v}"' for k, v in route.matchers)


def _alert_label_sets(model: Model) -> Iterator[tuple[str, dict[str, str]]]:
    for svc in model.services:
        for alert in svc.alerts:
            severities = {t.severity for t in alert_tiers(alert)} or {alert.severity}
            for sev in sorted(severities):
                yield _labelled(svc, f"alert {alert.name}", alert.name, sev.value, alert.labels)
        for slo in svc.slos:
            for level in dict.fromkeys(w.level for w in slo.burn_windows):
                sev = next(w.severity for w in slo.burn_windows if w.level == level)
                labels = {**slo.labels, **slo.level_alert_labels(level),
                          naming.LABEL_SLO_ID: slo.id, naming.LABEL_SLO: slo.name}
                yield _labelled(svc, f"slo {slo.name}", slo.alert_name, sev.value, labels)
            if slo.absent is not None:
                labels = {**slo.labels, **slo.alert_labels, naming.LABEL_SLO_ID: slo.id,
                          naming.LABEL_SLO: slo.name}
                yield _labelled(svc, f"slo {slo.name} absent", slo.absent.name,
                                slo.absent.severity.value, labels)
        for ga in svc.grafana_alerts:
            # The Grafana target marks every rule it writes as ours; route with that label too.
            labels = {**ga.labels, naming.GRAFANA_MANAGED_LABEL: naming.GRAFANA_MANAGED_VALUE}
            yield _labelled(svc, f"grafana {ga.title}", ga.title, ga.severity.value, labels)


def _labelled(svc: Service, what: str, alertname: str, severity: str,
              labels: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    full = {**labels, naming.LABEL_ALERTNAME: alertname, naming.LABEL_SERVICE: svc.name,
            naming.LABEL_TEAM: svc.team, naming.LABEL_SEVERITY: severity}
    return f"{svc.name} {what} ({severity})", full
