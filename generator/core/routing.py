"""The notification route tree and inhibitions, shared by Alertmanager and Grafana.

One first-level route per declaration, in this order: global overrides as declared, then
per-service routes, then severities; whatever matches none goes to the default receiver. A route
may name several receivers; renderers fan it out into children so each one gets the alerts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from generator.core import naming
from generator.core.model import Model, Routing, Service, Severity
from generator.specfile.models import TimeIntervalSpec

Matcher = tuple[str, str, str]  # (label, "=" or "!=", value)


@dataclass(frozen=True)
class Route:
    """A first-level route: alerts matching every matcher go to each receiver, in order."""

    origin: str  # where it was declared, e.g. "slos/_global.yaml: routing.overrides[0]"
    matchers: tuple[tuple[str, str], ...]
    receivers: tuple[str, ...]
    continue_: bool
    group_by: tuple[str, ...] | None = None
    group_wait: timedelta | None = None
    group_interval: timedelta | None = None
    repeat_interval: timedelta | None = None
    active_during: str | None = None
    # Labels every alert that can reach this route also carries (a service's team), used to
    # tell whether an earlier route swallows all of its alerts.
    implied: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RouteTree:
    """The whole tree: defaults at the root and first-level routes in matching order."""

    receiver: str
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    routes: tuple[Route, ...]
    time_intervals: Mapping[str, tuple[TimeIntervalSpec, ...]]


@dataclass(frozen=True)
class Inhibition:
    """Alerts matching `target` are not sent while one matching `source` fires."""

    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


def build_tree(model: Model) -> RouteTree | None:
    """The route tree declared by the global routing and per-service overrides; None if none."""
    routing = model.routing
    if routing is None:
        return None
    routes = [_override(model.global_file, routing, i) for i in range(len(routing.overrides))]
    routes += [r for svc in model.services for r in _service_routes(svc)]
    routes += [_severity_route(model.global_file, routing, sev) for sev in Severity
               if sev in routing.severities]
    return RouteTree(
        receiver=routing.receiver,
        group_by=tuple(routing.group_by),
        group_wait=routing.group_wait,
        group_interval=routing.group_interval,
        repeat_interval=routing.repeat_interval,
        routes=tuple(routes),
        time_intervals={k: tuple(v) for k, v in sorted(routing.time_intervals.items())},
    )


def matching_routes(tree: RouteTree, labels: Mapping[str, str]) -> tuple[Route, ...]:
    """First-level routes an alert with `labels` takes, in order, honouring `continue`.
    Empty means the root's default receiver gets it."""
    found: list[Route] = []
    for route in tree.routes:
        if all(labels.get(k) == v for k, v in route.matchers):
            found.append(route)
            if not route.continue_:
                break
    return tuple(found)


def resolve(tree: RouteTree, labels: Mapping[str, str]) -> tuple[str, ...]:
    """Receivers an alert with `labels` should reach, in order, as the spec declares it."""
    found = [r for route in matching_routes(tree, labels) for r in route.receivers]
    return tuple(found) or (tree.receiver,)


def inhibitions(model: Model) -> tuple[Inhibition, ...]:
    """Inhibit rules derived from the specs: critical over warning, service-down over symptoms."""
    routing = model.routing
    if routing is None:
        return ()
    rules: list[Inhibition] = []
    if routing.inhibit_warning_by_critical:
        rules.append(Inhibition(
            source=((naming.LABEL_SEVERITY, "=", Severity.CRITICAL.value),),
            target=((naming.LABEL_SEVERITY, "=", Severity.WARNING.value),),
            equal=(naming.LABEL_ALERTNAME, naming.LABEL_SERVICE),
        ))
    if routing.inhibit_symptoms_when_down:
        rules.extend(_down_inhibition(svc.name) for svc in model.services if _has_down_alert(svc))
    return tuple(rules)


def _down_inhibition(service: str) -> Inhibition:
    role, down = naming.LABEL_ROLE, naming.ROLE_SERVICE_DOWN
    return Inhibition(
        source=((naming.LABEL_SERVICE, "=", service), (role, "=", down)),
        target=((naming.LABEL_SERVICE, "=", service), (role, "!=", down)),
        equal=(),
    )


def _has_down_alert(svc: Service) -> bool:
    labels = [a.labels for a in svc.alerts] + [a.labels for a in svc.grafana_alerts]
    labels += [s.alert_labels for s in svc.slos]
    return any(lab.get(naming.LABEL_ROLE) == naming.ROLE_SERVICE_DOWN for lab in labels)


def _override(global_file: str, routing: Routing, index: int) -> Route:
    o = routing.overrides[index]
    return Route(
        origin=f"{global_file}: routing.overrides[{index}]",
        matchers=tuple(sorted(o.match.items())),
        receivers=tuple(o.receivers),
        continue_=o.continue_,
        group_by=tuple(o.group_by) if o.group_by is not None else None,
        group_wait=o.group_wait,
        group_interval=o.group_interval,
        repeat_interval=o.repeat_interval,
    )


def _service_routes(svc: Service) -> list[Route]:
    if svc.routing is None:
        return []
    r = svc.routing
    return [
        Route(
            origin=f"{svc.source_file}: routing.receivers.{sev.value}",
            matchers=((naming.LABEL_SERVICE, svc.name), (naming.LABEL_SEVERITY, sev.value)),
            receivers=tuple(r.receivers[sev]),
            continue_=r.continue_,
            group_by=tuple(r.group_by) if r.group_by is not None else None,
            implied=tuple(sorted({**svc.labels, naming.LABEL_TEAM: svc.team}.items())),
        )
        for sev in Severity if sev in r.receivers
    ]


def _severity_route(global_file: str, routing: Routing, sev: Severity) -> Route:
    s = routing.severities[sev]
    return Route(
        origin=f"{global_file}: routing.severities.{sev.value}",
        matchers=((naming.LABEL_SEVERITY, sev.value),),
        receivers=tuple(s.receivers),
        continue_=False,
        group_wait=s.group_wait,
        group_interval=s.group_interval,
        repeat_interval=s.repeat_interval,
        active_during=s.active_during,
    )
