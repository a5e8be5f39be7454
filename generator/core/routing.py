"""The notification route tree and inhibitions, shared by Alertmanager and Grafana.

One first-level route per declaration, in this order: global overrides as declared, then
per-service routes, then severities; whatever matches none goes to the default receiver. A route
may name several receivers; renderers fan it out into children so each one gets the alerts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.core import naming
from generator.core.model import Inhibition, Model, Route, RouteTree, Routing, Service, Severity


def build_tree(routing: Routing | None, services: Sequence[Service],
               global_file: str) -> RouteTree | None:
    """The route tree declared by the global routing and per-service overrides; None if none.

    Built once by the spec builder and kept as `Model.route_tree`: read that, do not rebuild.
    """
    if routing is None:
        return None
    routes = [_override(global_file, routing, i) for i in range(len(routing.overrides))]
    routes += [r for svc in services for r in _service_routes(svc)]
    routes += [_severity_route(global_file, routing, sev) for sev in Severity
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
    labels += [s.level_alert_labels(w.level) for s in svc.slos for w in s.burn_windows]
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
