"""Map parsed specs to the resolved model, checking rules that span fields, objects and files.

Each concept has its own builder module (build_global, build_slos, build_alerts, build_grafana);
this one walks the service files and assembles the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from generator.core import model as m
from generator.core import naming
from generator.core.errors import SpecError, SpecErrors
from generator.core.promql import is_plain_selector
from generator.core.routing import build_tree
from generator.specfile import build_settings as settings
from generator.specfile import models as s
from generator.specfile.build_alerts import build_alert, build_check, build_recording, check_alert
from generator.specfile.build_common import (
    Errors,
    camel,
    check_unique,
    duplicates,
    mttd_target,
    spec_source,
    unknown,
)
from generator.specfile.build_global import build_grafana, check_routing
from generator.specfile.build_grafana import (
    build_dashboard,
    build_grafana_alert,
    check_grafana_groups,
)
from generator.specfile.build_slos import build_policies, build_slo
from generator.specfile.expressions import expressions
from generator.specfile.loader import LoadedService, LoadedSpecs, Locator
from generator.specfile.unrouted import unrouted_alerts
from generator.specfile.unused import unused_entries


def build_model(loaded: LoadedSpecs) -> m.Model:
    """Resolve `loaded` into the model; raise SpecErrors listing every cross-object problem."""
    errors = Errors()
    gl, gloc = loaded.global_spec, loaded.global_locator
    grafana = build_grafana(gl, gloc, errors)
    check_routing(gl, gloc, errors)
    services = _build_services(loaded.services, gl, grafana, errors)
    check_grafana_groups(services, errors)
    errors.items += _scrape_job_clashes(services)
    if errors.items:
        raise SpecErrors(errors.items)
    exprs = tuple(e for svc in loaded.services for e in expressions(svc))
    services = sorted(services, key=lambda x: x.name)
    routing = settings.routing(gl.routing)
    model = m.Model(
        services=tuple(services),
        receivers=tuple(settings.receiver(r) for r in sorted(gl.receivers, key=lambda r: r.name)),
        routing=routing,
        grafana=grafana,
        databases={k: settings.database(v) for k, v in sorted(gl.databases.items())},
        prometheus=settings.prometheus(gl.prometheus),
        exporter=settings.exporter(gl.exporter),
        global_file=gloc.file,
        route_tree=build_tree(routing, services, gloc.file),
        expressions=exprs,
    )
    return replace(model, warnings=(*unused_entries(model, gl, gloc), *unrouted_alerts(model)))


def _build_services(loaded: Sequence[LoadedService], gl: s.GlobalSpec,
                    grafana: m.GrafanaSettings, errors: Errors) -> list[m.Service]:
    first_file: dict[str, str] = {}
    services = []
    for item in loaded:
        name = item.spec.service
        if name in first_file:
            errors.add(item.locator, ("service",),
                       f"service {name!r} is already declared in {first_file[name]}; "
                       "each service has exactly one file")
            continue
        line, _ = item.locator.find(("service",))
        first_file[name] = f"{item.locator.file}:{line}" if line else item.locator.file
        services.append(_build_service(item, gl, grafana, errors))
    return services


def _build_service(item: LoadedService, gl: s.GlobalSpec, grafana: m.GrafanaSettings,
                   errors: Errors) -> m.Service:
    spec, loc = item.spec, item.locator
    check_unique(loc, errors, "slos", [x.name for x in spec.slos], "SLO")
    check_unique(loc, errors, "health_checks", [x.name for x in spec.health_checks],
                  "health check")
    check_unique(loc, errors, "grafana_alerts", [x.name for x in spec.grafana_alerts],
                  "Grafana alert")
    _check_alert_names(spec, loc, errors)
    if spec.routing is not None:
        names = sorted(r.name for r in gl.receivers)
        for sev, receivers in spec.routing.receivers.items():
            for i, r in enumerate(receivers):
                if r not in names:
                    errors.add(loc, ("routing", "receivers", sev.value, i),
                               unknown("receiver", r, names))
    slos = tuple(build_slo(spec, i, loc, errors, gl.prometheus.evaluation_interval,
                           gl.slo_alerting)
                 for i in range(len(spec.slos)))
    checks = tuple(build_check(spec, i, gl, loc, errors) for i in range(len(spec.health_checks)))
    alerts = [build_alert(spec, i, loc) for i in range(len(spec.alerts))]
    alerts += [check_alert(spec, c) for c in checks if c.alert is not None]
    _check_health_check_alert_names(spec, loc, errors)
    _check_alert_input_records(alerts, errors)
    return m.Service(
        name=spec.service, team=spec.team, tier=spec.tier, description=spec.description,
        runbook=spec.runbook, labels=dict(sorted(spec.labels.items())), source_file=loc.file,
        slos=slos,
        alerts=tuple(alerts),
        recordings=tuple(r for i in range(len(spec.recording))
                         for r in build_recording(spec, i, loc)),
        health_checks=checks,
        grafana_alerts=tuple(build_grafana_alert(spec, i, grafana, loc, errors)
                             for i in range(len(spec.grafana_alerts))),
        dashboard=build_dashboard(spec, grafana, loc, errors),
        routing=settings.service_routing(spec.routing),
        rule_group_intervals={k: v.interval for k, v in sorted(spec.rule_groups.items())
                              if v.interval is not None},
        mttd=mttd_target(loc, spec.mttd, ("mttd",)),
        policies=build_policies(spec, slos, loc, errors),
        scrape=_build_scrape(spec, loc),
    )


def _scrape_job_clashes(services: Sequence[m.Service]) -> list[SpecError]:
    """Scrape job names must be unique: Prometheus refuses a config that repeats one."""
    seen: dict[str, str] = {naming.EXPORTER_JOB: "the health-check exporter"}
    found = []
    for svc in services:
        if svc.scrape is None:
            continue
        src, job = svc.scrape.source, svc.scrape.job
        if job in seen:
            found.append(SpecError(src.file, src.line, src.column, src.path,
                                   f"scrape job {job!r} is already used by {seen[job]}; "
                                   "set scrape.job to another name"))
        seen.setdefault(job, f"service {svc.name!r}")
    return found


def _build_scrape(spec: s.ServiceSpec, loc: Locator) -> m.Scrape | None:
    sc = spec.scrape
    if sc is None:
        return None
    return m.Scrape(job=sc.job or spec.service, targets=tuple(sc.targets),
                    metrics_path=sc.metrics_path, scheme=sc.scheme, interval=sc.interval,
                    # Where the job name comes from: clashes are reported there.
                    source=spec_source(loc, ("scrape", "job") if sc.job else ("scrape",)))


def _check_health_check_alert_names(spec: s.ServiceSpec, loc: Locator, errors: Errors) -> None:
    """A health check's alert is named HealthCheck<CamelCaseName>: `orphaned-edges` and
    `orphaned_edges`, or an alert already called so, would give two alerts one name and the
    same labels, which Alertmanager takes for one alert."""
    taken = {a.name: f"alerts[{i}]" for i, a in reversed(list(enumerate(spec.alerts)))}
    seen: set[str] = set()
    for i, hc in enumerate(spec.health_checks):
        if hc.alert is None or hc.name in seen:  # a repeated name is reported as such
            continue
        seen.add(hc.name)
        name = camel("health_check", hc.name)
        if name in taken:
            errors.add(loc, ("health_checks", i, "name"),
                       f"health check {hc.name!r} alerts as {name}, the name {taken[name]} "
                       "already has; rename one of them")
        taken.setdefault(name, f"health check {hc.name!r} (health_checks[{i}])")


def _check_alert_input_records(alerts: Sequence[m.Alert], errors: Errors) -> None:
    """Alerts whose inputs are recorded (an expression, not a plain selector) record them as
    `alert:<service>_<snake_case name>:value`: `HighErrorRate` and `High_Error_Rate` would write
    one series, so each alert would read the other's input too (and promtool's lint reports
    the two rules)."""
    seen: dict[str, m.Alert] = {}
    for a in alerts:
        if not isinstance(a, m.AnomalyAlert) and is_plain_selector(m.alert_input(a).strip()):
            continue
        record = naming.alert_input_record(a.service, a.name)
        first = seen.setdefault(record, a)
        if first is not a and first.name != a.name:  # one name twice is reported as such
            src = a.source
            errors.items.append(SpecError(
                src.file, src.line, src.column, src.path,
                f"alert {a.name} records its input as {record}, as {first.name} "
                f"({first.source.path}) does; rename one of them"))


def _check_alert_names(spec: s.ServiceSpec, loc: Locator, errors: Errors) -> None:
    names = [a.name for a in spec.alerts]
    for i, name, j in duplicates(names):
        errors.add(loc, ("alerts", i, "name"),
                   f"duplicate alert name {name!r}; alerts[{j}] has it already")
