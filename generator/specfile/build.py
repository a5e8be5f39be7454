"""Map parsed specs to the resolved model, checking rules that span fields, objects and files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta

from generator.core import bucket_bounds, naming
from generator.core import model as m
from generator.core.catalog import unmet_mttd
from generator.core.durations import format_duration
from generator.core.errors import Loc, SpecError, SpecErrors, format_path
from generator.core.model import WINDOW_PLACEHOLDER, Condition, Op
from generator.core.routing import build_tree
from generator.specfile import models as s
from generator.specfile.loader import LoadedService, LoadedSpecs, Locator
from generator.specfile.unrouted import unrouted_alerts
from generator.specfile.unused import unused_entries

# Google SRE workbook, chapter 5: (long, short, share of budget spent in `long`).
DEFAULT_PAGE_WINDOWS = ((timedelta(hours=1), timedelta(minutes=5), 2.0),
                        (timedelta(hours=6), timedelta(minutes=30), 5.0))
DEFAULT_TICKET_WINDOWS = ((timedelta(days=1), timedelta(hours=2), 10.0),
                          (timedelta(days=3), timedelta(hours=6), 10.0))
GRAFANA_SCHEDULER_STEP = timedelta(seconds=10)
DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"
_GRAFANA_VARIABLE = re.compile(r"\$\{?(__\w+|\w+)\}?")


class _Errors:
    """Collects errors while building, so one run reports them all."""

    def __init__(self) -> None:
        self.items: list[SpecError] = []

    def add(self, locator: Locator, loc: Loc, message: str) -> None:
        self.items.append(locator.error(loc, message))


def build_model(loaded: LoadedSpecs) -> m.Model:
    """Resolve `loaded` into the model; raise SpecErrors listing every cross-object problem."""
    errors = _Errors()
    gl, gloc = loaded.global_spec, loaded.global_locator
    grafana = _build_grafana(gl, gloc, errors)
    _check_routing(gl, gloc, errors)
    services = _build_services(loaded.services, gl, grafana, errors)
    _check_grafana_groups(services, errors)
    errors.items += _scrape_job_clashes(services)
    if errors.items:
        raise SpecErrors(errors.items)
    exprs = tuple(e for svc in loaded.services for e in _expressions(svc))
    services = sorted(services, key=lambda x: x.name)
    model = m.Model(
        services=tuple(services),
        receivers=tuple(sorted(gl.receivers, key=lambda r: r.name)),
        routing=gl.routing,
        grafana=grafana,
        databases=dict(sorted(gl.databases.items())),
        prometheus=gl.prometheus,
        exporter=gl.exporter,
        global_file=gloc.file,
        route_tree=build_tree(gl.routing, services, gloc.file),
        expressions=exprs,
    )
    _check_mttd(model)
    return replace(model, warnings=(*unused_entries(model, gl, gloc), *unrouted_alerts(model)))


def _check_mttd(model: m.Model) -> None:
    # The MTTD check reads resolved routing, so it runs on the finished model.
    unmet = unmet_mttd(model)
    if unmet:
        raise SpecErrors(unmet)


def _source(locator: Locator, loc: Loc) -> m.Source:
    line, column = locator.find(loc)
    return m.Source(locator.file, format_path(loc), line, column)


# --- global --------------------------------------------------------------------------------


def _duplicates(names: Iterable[str]) -> list[tuple[int, str, int]]:
    """(index, name, index of the first use) for every repeated name."""
    first: dict[str, int] = {}
    dups = []
    for index, name in enumerate(names):
        if name in first:
            dups.append((index, name, first[name]))
        first.setdefault(name, index)
    return dups


def _build_grafana(gl: s.GlobalSpec, loc: Locator, errors: _Errors) -> m.GrafanaSettings:
    g = gl.grafana
    for i, uid, j in _duplicates(f.uid for f in g.folders):
        errors.add(loc, ("grafana", "folders", i, "uid"),
                   f"duplicate folder uid {uid!r}; grafana.folders[{j}] has it already")
    for i, uid, j in _duplicates(d.uid for d in g.datasources):
        errors.add(loc, ("grafana", "datasources", i, "uid"),
                   f"duplicate datasource uid {uid!r}; grafana.datasources[{j}] has it already")
    folder_uids = sorted(f.uid for f in g.folders)
    for key in ("dashboard_folder", "alert_folder"):
        uid = getattr(g, key)
        if uid is not None and uid not in folder_uids:
            errors.add(loc, ("grafana", key), _unknown("folder", uid, folder_uids))
    datasources = list(g.datasources)
    proms = [d for d in datasources if d.type is m.DatasourceType.PROMETHEUS]
    if not proms:
        # Dashboards always need a Prometheus datasource; provision a local one if none is declared.
        default = m.Datasource(uid="prometheus", name="Prometheus",
                               type=m.DatasourceType.PROMETHEUS,
                               url=gl.prometheus.url or DEFAULT_PROMETHEUS_URL, default=True)
        datasources.append(default)
        proms = [default]
    defaults = [d for d in proms if d.default]
    if len([d for d in datasources if d.default]) > 1:
        errors.add(loc, ("grafana", "datasources"), "more than one datasource has default: true")
    return m.GrafanaSettings(
        folders=tuple(sorted(g.folders, key=lambda f: f.uid)),
        datasources=tuple(sorted(datasources, key=lambda d: d.uid)),
        dashboard_folder=g.dashboard_folder,
        alert_folder=g.alert_folder,
        disable_provenance=g.disable_provenance,
        default_datasource=(defaults or proms)[0].uid,
    )


def _check_routing(gl: s.GlobalSpec, loc: Locator, errors: _Errors) -> None:
    names = sorted(r.name for r in gl.receivers)
    for i, name, j in _duplicates(r.name for r in gl.receivers):
        errors.add(loc, ("receivers", i, "name"),
                   f"duplicate receiver {name!r}; receivers[{j}] has it already")
    r = gl.routing
    if r is None:
        return

    def need(path: Loc, name: str) -> None:
        if name not in names:
            errors.add(loc, path, _unknown("receiver", name, names))

    need(("routing", "receiver"), r.receiver)
    for sev, route in r.severities.items():
        for i, name in enumerate(route.receivers):
            need(("routing", "severities", sev.value, "receivers", i), name)
        if route.active_during is not None and route.active_during not in r.time_intervals:
            errors.add(loc, ("routing", "severities", sev.value, "active_during"),
                       _unknown("time interval", route.active_during, sorted(r.time_intervals)))
    for j, override in enumerate(r.overrides):
        for i, name in enumerate(override.receivers):
            need(("routing", "overrides", j, "receivers", i), name)


def _unknown(kind: str, name: str, known: Sequence[str]) -> str:
    listed = ", ".join(sorted(set(known))) if known else "none declared"
    return f"unknown {kind} {name!r}; known: {listed}"


# --- services ------------------------------------------------------------------------------


def _build_services(loaded: Sequence[LoadedService], gl: s.GlobalSpec,
                    grafana: m.GrafanaSettings, errors: _Errors) -> list[m.Service]:
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
                   errors: _Errors) -> m.Service:
    spec, loc = item.spec, item.locator
    _check_unique(loc, errors, "slos", [x.name for x in spec.slos], "SLO")
    _check_unique(loc, errors, "health_checks", [x.name for x in spec.health_checks],
                  "health check")
    _check_unique(loc, errors, "grafana_alerts", [x.name for x in spec.grafana_alerts],
                  "Grafana alert")
    _check_alert_names(spec, loc, errors)
    if spec.routing is not None:
        names = sorted(r.name for r in gl.receivers)
        for sev, receivers in spec.routing.receivers.items():
            for i, r in enumerate(receivers):
                if r not in names:
                    errors.add(loc, ("routing", "receivers", sev.value, i),
                               _unknown("receiver", r, names))
    slos = tuple(_build_slo(spec, i, loc, errors) for i in range(len(spec.slos)))
    checks = tuple(_build_check(spec, i, gl, loc, errors) for i in range(len(spec.health_checks)))
    alerts = [_build_alert(spec, i, loc) for i in range(len(spec.alerts))]
    alerts += [_check_alert(spec, c) for c in checks if c.alert is not None]
    return m.Service(
        name=spec.service, team=spec.team, tier=spec.tier, description=spec.description,
        runbook=spec.runbook, labels=dict(sorted(spec.labels.items())), source_file=loc.file,
        slos=slos,
        alerts=tuple(alerts),
        recordings=tuple(r for i in range(len(spec.recording))
                         for r in _build_recording(spec, i, loc)),
        health_checks=checks,
        grafana_alerts=tuple(_build_grafana_alert(spec, i, grafana, loc, errors)
                             for i in range(len(spec.grafana_alerts))),
        dashboard=_build_dashboard(spec, grafana, loc, errors),
        routing=spec.routing,
        rule_group_intervals={k: v.interval for k, v in sorted(spec.rule_groups.items())
                              if v.interval is not None},
        mttd=_mttd(loc, spec.mttd, ("mttd",)),
        policies=_build_policies(spec, slos, loc, errors),
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
                    source=_source(loc, ("scrape", "job") if sc.job else ("scrape",)))


def _check_unique(loc: Locator, errors: _Errors, key: str, names: list[str], kind: str) -> None:
    for i, name, j in _duplicates(names):
        errors.add(loc, (key, i, "name"),
                   f"duplicate {kind} name {name!r}; {key}[{j}] has it already")


def _check_alert_names(spec: s.ServiceSpec, loc: Locator, errors: _Errors) -> None:
    names = [a.name for a in spec.alerts]
    for i, name, j in _duplicates(names):
        errors.add(loc, ("alerts", i, "name"),
                   f"duplicate alert name {name!r}; alerts[{j}] has it already")


# --- SLOs ------------------------------------------------------------------------------------


def _with_matcher(selector: str, matcher: str) -> str:
    inner = selector.strip()
    if inner.startswith("{") and inner.endswith("}"):
        inner = inner[1:-1].strip().rstrip(",")
    return "{" + (f"{inner}, {matcher}" if inner else matcher) + "}"


def _selector(selector: str) -> str:
    text = selector.strip()
    return text if text.startswith("{") or not text else "{" + text + "}"


def _build_sli(sli: s.SliSpec) -> m.Sli:
    w = WINDOW_PLACEHOLDER
    if sli.events is not None:
        ev = sli.events
        errors = ev.bad if ev.bad is not None else f"({ev.total}) - ({ev.good})"
        return m.Sli(m.SliKind.EVENTS, _normalize_placeholder(errors),
                     _normalize_placeholder(ev.total))
    if sli.latency is not None:
        lat = sli.latency
        sel = _selector(lat.selector)
        # Without an explicit `le`, every spelling of the bound matches: exporters write 1s as
        # "1", "1.0" or "1e+00" (see bucket_bounds).
        le = (f'le="{lat.le}"' if lat.le is not None
              else bucket_bounds.matcher(lat.below.total_seconds()))
        total = f"sum(rate({lat.histogram}_count{sel}[{w}]))"
        bucket = _with_matcher(sel, le)
        good = f"sum(rate({lat.histogram}_bucket{bucket}[{w}]))"
        return m.Sli(m.SliKind.LATENCY, f"{total} - {good}", total, (lat.histogram,))
    assert sli.availability is not None
    sel = _selector(sli.availability.selector)
    total = f"sum(count_over_time(up{sel}[{w}]))"
    up = f"sum(sum_over_time(up{sel}[{w}]))"
    return m.Sli(m.SliKind.AVAILABILITY, f"{total} - {up}", total, ("up",))


def _normalize_placeholder(expr: str) -> str:
    return re.sub(r"\{\{\s*window\s*\}\}", WINDOW_PLACEHOLDER, expr)


def _camel(*parts: str) -> str:
    return "".join(w[:1].upper() + w[1:] for p in parts for w in re.split(r"[-_\s]+", p) if w)


def _build_slo(spec: s.ServiceSpec, index: int, loc: Locator, errors: _Errors) -> m.Slo:
    slo = spec.slos[index]
    path: Loc = ("slos", index)
    windows = []
    for level, alert, defaults, severity in (
        ("page", slo.alerting.page, DEFAULT_PAGE_WINDOWS, m.Severity.CRITICAL),
        ("ticket", slo.alerting.ticket, DEFAULT_TICKET_WINDOWS, m.Severity.WARNING),
    ):
        if not alert.enabled:
            continue
        for_ = alert.for_ or timedelta(0)
        if for_ >= slo.window:
            errors.add(loc, (*path, "alerting", level, "for"),
                       f"for {format_duration(for_)} must be shorter than the SLO window "
                       f"{format_duration(slo.window)}")
        windows += _burn_windows(slo, level, alert, defaults, alert.severity or severity, for_,
                                 loc, errors, path)
    labels = dict(sorted({**spec.labels, **slo.labels}.items()))
    return m.Slo(
        id=naming.slo_id(spec.service, slo.name), service=spec.service, name=slo.name,
        description=slo.description, objective=slo.objective, window=slo.window,
        sli=_build_sli(slo.sli), burn_windows=tuple(windows),
        alert_name=slo.alerting.name or _camel(spec.service, slo.name, "BudgetBurn"),
        labels=labels, alert_labels=dict(sorted(slo.alerting.labels.items())),
        annotations=dict(sorted(slo.alerting.annotations.items())),
        source=_source(loc, path),
        level_labels={level: dict(sorted(a.labels.items())) for level, a in
                      (("page", slo.alerting.page), ("ticket", slo.alerting.ticket)) if a.labels},
        level_annotations={level: dict(sorted(a.annotations.items())) for level, a in
                           (("page", slo.alerting.page), ("ticket", slo.alerting.ticket))
                           if a.annotations},
    )


def _burn_windows(slo: s.SloSpec, level: str, alert: s.BurnAlertSpec,
                  defaults: Sequence[tuple[timedelta, timedelta, float]], severity: m.Severity,
                  for_: timedelta, loc: Locator, errors: _Errors, path: Loc) -> list[m.BurnWindow]:
    """The burn-rate windows of one alert level, checked against the SLO window and objective."""
    budget = 1.0 - slo.objective / 100.0
    specs = ([(w.long, w.short, w.budget_percent, w.burn_rate) for w in alert.windows]
             if alert.windows else [(lg, sh, pct, None) for lg, sh, pct in defaults])
    if not alert.windows and max(w[0] for w in specs) > slo.window:
        longest = format_duration(max(w[0] for w in specs))
        errors.add(loc, (*path, "window"),
                   f"window {format_duration(slo.window)} is shorter than the default {level} "
                   f"burn-rate window {longest}; use a window of at least {longest}, set "
                   f"alerting.{level}.windows, or alerting.{level}.enabled: false")
        return []
    out = []
    for j, (long, short, pct, factor) in enumerate(specs):
        wpath = (*path, "alerting", level, "windows", j) if alert.windows else (*path, "window")
        if long > slo.window:
            errors.add(loc, (*wpath, "long"), f"burn-rate window {format_duration(long)} is "
                                              f"longer than the SLO window "
                                              f"{format_duration(slo.window)}")
            continue
        rate = factor if factor is not None else (pct or 0) / 100.0 * (slo.window / long)
        if rate * budget > 1.0:
            errors.add(loc, wpath, f"{level} burn rate {rate:g} can never fire: it needs an "
                                   f"error ratio of {rate * budget:.0%}; lower the budget "
                                   f"share or the objective")
            continue
        mttd = _mttd(loc, alert.mttd, (*path, "alerting", level, "mttd"))
        out.append(m.BurnWindow(level, long, short, round(rate, 6), severity, for_, mttd))
    return out


# --- error-budget policies -------------------------------------------------------------------


def _build_policies(spec: s.ServiceSpec, slos: tuple[m.Slo, ...], loc: Locator,
                    errors: _Errors) -> tuple[m.Policy, ...]:
    _check_unique(loc, errors, "policies", [p.name for p in spec.policies], "policy")
    names = sorted(slo.name for slo in slos)
    out = []
    for i, p in enumerate(spec.policies):
        for j, name in enumerate(p.slos or []):
            if name not in names:
                errors.add(loc, ("policies", i, "slos", j), _unknown("SLO", name, names))
        rb = p.rollback
        triggers = tuple(
            m.RollbackTrigger(t.name, t.description, t.expr,
                              _condition(t.above, t.below) or Condition(Op.ABOVE, 0), t.for_,
                              _source(loc, ("policies", i, "rollback", "triggers", j)))
            for j, t in enumerate(rb.triggers if rb else []))
        for j, name, first in _duplicates(t.name for t in (rb.triggers if rb else [])):
            errors.add(loc, ("policies", i, "rollback", "triggers", j, "name"),
                       f"duplicate rollback trigger name {name!r}; "
                       f"triggers[{first}] has it already")
        out.append(m.Policy(
            name=p.name, description=p.description,
            slos=tuple(naming.slo_id(spec.service, n) for n in (p.slos or [x.name for x in slos])),
            budget_remaining_below=p.block_when.budget_remaining_below,
            page_burn=p.block_when.page_burn, watch=rb.watch if rb else timedelta(0),
            deployed_at=rb.deployed_at if rb else None, triggers=triggers,
            source=_source(loc, ("policies", i))))
    return tuple(out)


# --- alerts ------------------------------------------------------------------------------------


def _condition(above: float | None, below: float | None, equals: float | None = None,
               outside: tuple[float, float] | None = None) -> Condition | None:
    if above is not None:
        return Condition(Op.ABOVE, above)
    if below is not None:
        return Condition(Op.BELOW, below)
    if equals is not None:
        return Condition(Op.EQUALS, equals)
    if outside is not None:
        return Condition(Op.OUTSIDE, outside[0], outside[1])
    return None


def _runbook(spec: s.ServiceSpec, own: str | None, name: str) -> str | None:
    if own is not None:
        return own
    return f"{spec.runbook}#{name.lower()}" if spec.runbook else None


def _build_alert(spec: s.ServiceSpec, index: int, loc: Locator) -> m.Alert:
    a = spec.alerts[index]
    kind, extra = _alert_kind(a)
    summary = a.summary or f"{a.name} on {spec.service}"
    return m.Alert(
        name=a.name, service=spec.service, team=spec.team, kind=kind, severity=a.severity,
        for_=a.for_, summary=summary, description=a.description or summary,
        runbook=_runbook(spec, a.runbook, a.name),
        labels=dict(sorted({**spec.labels, **a.labels}.items())),
        annotations=dict(sorted(a.annotations.items())), source=_source(loc, ("alerts", index)),
        group=a.group, mttd=_mttd(loc, a.mttd, ("alerts", index, "mttd")),
        **extra,  # type: ignore[arg-type]
    )


def _mttd(loc: Locator, within: timedelta | None, path: Loc) -> m.MttdTarget | None:
    return None if within is None else m.MttdTarget(within, _source(loc, path))


def _alert_kind(a: s.AlertSpec) -> tuple[m.AlertKind, dict[str, object]]:
    if a.tiers is not None:
        order = {m.Severity.CRITICAL: 0, m.Severity.WARNING: 1, m.Severity.INFO: 2}
        tiers = tuple(
            m.Tier(sev, _condition(t.above, t.below) or Condition(Op.ABOVE, 0),
                   t.for_ if t.for_ is not None else a.for_)
            for sev, t in sorted(a.tiers.items(), key=lambda kv: order[kv[0]])
        )
        return m.AlertKind.TIERED, {"expr": a.expr, "tiers": tiers}
    if a.expr is not None:
        return m.AlertKind.THRESHOLD, {"expr": a.expr,
                                       "condition": _condition(a.above, a.below, a.equals)}
    if a.absent is not None:
        return m.AlertKind.ABSENT, {"absent": a.absent}
    if a.stale is not None:
        return m.AlertKind.STALE, {"stale": m.StaleRule(a.stale.timestamp, a.stale.after)}
    if a.predict is not None:
        p = a.predict
        cond = _condition(p.above, p.below)
        assert cond is not None
        return m.AlertKind.PREDICT, {"predict": m.PredictRule(p.expr, cond, p.within, p.lookback)}
    assert a.anomaly is not None
    an = a.anomaly
    rule = m.AnomalyRule(an.expr, an.zscore, an.baseline, an.direction)
    return m.AlertKind.ANOMALY, {"anomaly": rule}


def _build_recording(spec: s.ServiceSpec, index: int, loc: Locator) -> list[m.Recording]:
    r = spec.recording[index]
    src = _source(loc, ("recording", index))
    labels = dict(sorted(r.labels.items()))
    if r.histogram is None:
        assert r.record is not None and r.expr is not None
        return [m.Recording(r.record, r.expr, labels, src, r.group)]
    by = ", ".join(["le", *r.by])
    sel = _selector(r.selector)
    window = format_duration(r.rate)
    return [
        m.Recording(
            naming.quantile_record(r.histogram, q, r.rate),
            f"histogram_quantile({q:g}, sum by ({by}) (rate({r.histogram}_bucket{sel}[{window}])))",
            labels, src, r.group)
        for q in r.quantiles
    ]


# --- health checks -----------------------------------------------------------------------------


def _build_check(spec: s.ServiceSpec, index: int, gl: s.GlobalSpec, loc: Locator,
                 errors: _Errors) -> m.HealthCheck:
    c = spec.health_checks[index]
    path: Loc = ("health_checks", index)
    known = sorted(gl.databases)
    if c.database not in gl.databases:
        errors.add(loc, (*path, "database"), _unknown("database", c.database, known))
    compare_db = c.compare.database if c.compare and c.compare.database else None
    if compare_db is not None and compare_db not in gl.databases:
        errors.add(loc, (*path, "compare", "database"), _unknown("database", compare_db, known))
    if c.timeout > c.every:
        errors.add(loc, (*path, "timeout"), f"timeout {format_duration(c.timeout)} is longer than "
                                            f"every {format_duration(c.every)}; a check must "
                                            "end before the next run starts")
    overlap = sorted(set(c.values) & set(c.labels))
    if overlap:
        errors.add(loc, (*path, "labels"),
                   f"{', '.join(map(repr, overlap))} cannot be both a value and a label column")
    alert = c.alert
    return m.HealthCheck(
        id=f"{spec.service}-{c.name}", service=spec.service, name=c.name,
        description=c.description, database=c.database, sql=c.sql.strip(), every=c.every,
        timeout=c.timeout, values=tuple(c.values), labels=tuple(c.labels),
        compare_sql=c.compare.sql.strip() if c.compare else None,
        compare_database=(compare_db or c.database) if c.compare else None,
        tolerance=c.compare.tolerance if c.compare else 0.0,
        alert=_condition(alert.above, alert.below, alert.equals, alert.outside) if alert else None,
        alert_severity=alert.severity if alert else m.Severity.WARNING,
        alert_for=alert.for_ if alert else timedelta(0),
        source=_source(loc, path),
        alert_mttd=_mttd(loc, alert.mttd, (*path, "alert", "mttd")) if alert else None,
    )


def _check_alert(spec: s.ServiceSpec, check: m.HealthCheck) -> m.Alert:
    name = _camel("health_check", check.name)
    metric = (naming.CHECK_DIFFERENCE if check.compare_sql is not None
              else naming.check_metric(check.name, check.values[0]))
    expr = f'{metric}{{service="{check.service}", check="{check.name}"}}'
    summary = f"Health check {check.name} of {spec.service} failed"
    return m.Alert(
        name=name, service=spec.service, team=spec.team, kind=m.AlertKind.HEALTH_CHECK,
        severity=check.alert_severity, for_=check.alert_for, summary=summary,
        description=check.description or summary, runbook=_runbook(spec, None, name),
        labels=dict(sorted(spec.labels.items())), annotations={}, source=check.source,
        expr=expr, condition=check.alert, health_check=check.name, mttd=check.alert_mttd,
    )


# --- Grafana --------------------------------------------------------------------------------


def _build_grafana_alert(spec: s.ServiceSpec, index: int, grafana: m.GrafanaSettings,
                         loc: Locator, errors: _Errors) -> m.GrafanaAlert:
    a = spec.grafana_alerts[index]
    path: Loc = ("grafana_alerts", index)
    by_uid = {d.uid: d for d in grafana.datasources}
    ds = by_uid.get(a.datasource)
    if ds is None:
        errors.add(loc, (*path, "datasource"), _unknown("datasource", a.datasource, sorted(by_uid)))
        ds_type = m.DatasourceType.PROMETHEUS
    else:
        ds_type = ds.type
        if (a.sql is not None) == (ds_type is m.DatasourceType.PROMETHEUS):
            want = "expr (PromQL)" if ds_type is m.DatasourceType.PROMETHEUS else "sql"
            errors.add(loc, (*path, "datasource"),
                       f"datasource {a.datasource!r} is {ds_type.value}; its query must be {want}")
    folders = sorted(f.uid for f in grafana.folders)
    folder = a.folder or grafana.alert_folder or (folders[0] if folders else None)
    if folder is None:
        errors.add(loc, (*path, "folder"), "no folder: declare grafana.folders in _global.yaml")
        folder = ""
    elif folder not in folders:
        errors.add(loc, (*path, "folder"), _unknown("folder", folder, folders))
    if a.every % GRAFANA_SCHEDULER_STEP:
        errors.add(loc, (*path, "every"), f"every {format_duration(a.every)} must be a multiple of "
                                          "10s, the Grafana scheduler's step")
    cond = _condition(a.above, a.below, a.equals, a.outside)
    assert cond is not None
    summary = a.summary or f"{a.name} on {spec.service}"
    return m.GrafanaAlert(
        uid=naming.grafana_uid(spec.service, a.name), title=a.name, service=spec.service,
        team=spec.team, folder_uid=folder, group=a.group or spec.service,
        datasource_uid=a.datasource, datasource_type=ds_type, sql=a.sql, expr=a.expr,
        reduce=a.reduce, condition=cond, range=a.range, every=a.every, for_=a.for_,
        no_data=a.no_data, exec_error=a.exec_error, severity=a.severity, summary=summary,
        description=a.description or summary, runbook=_runbook(spec, None, a.name),
        labels=dict(sorted({**spec.labels, **a.labels}.items())),
        annotations=dict(sorted(a.annotations.items())), source=_source(loc, path),
        mttd=_mttd(loc, a.mttd, (*path, "mttd")),
    )


def _check_grafana_groups(services: Sequence[m.Service], errors: _Errors) -> None:
    """Grafana evaluates a rule group at one interval, so its rules must agree on `every`."""
    first: dict[tuple[str, str], m.GrafanaAlert] = {}
    for alert in (a for svc in services for a in svc.grafana_alerts):
        seen = first.setdefault((alert.folder_uid, alert.group), alert)
        if seen.every != alert.every:
            src = alert.source
            errors.items.append(SpecError(
                src.file, src.line, src.column, f"{src.path}.every",
                f"every {format_duration(alert.every)} differs from every "
                f"{format_duration(seen.every)} of {seen.title} in group {alert.group!r}; "
                "Grafana evaluates a group at one interval"))


def _build_dashboard(spec: s.ServiceSpec, grafana: m.GrafanaSettings, loc: Locator,
                     errors: _Errors) -> m.Dashboard:
    d = spec.dashboard
    by_uid = {x.uid: x for x in grafana.datasources}
    ds_uid = spec.datasource or grafana.default_datasource
    if spec.datasource is not None:
        ds = by_uid.get(spec.datasource)
        if ds is None:
            errors.add(loc, ("datasource",),
                       _unknown("datasource", spec.datasource, sorted(by_uid)))
        elif ds.type is not m.DatasourceType.PROMETHEUS:
            errors.add(loc, ("datasource",), f"datasource {ds.uid!r} is {ds.type.value}; "
                                             "dashboards need a prometheus datasource")
    folders = sorted(f.uid for f in grafana.folders)
    folder = d.folder or grafana.dashboard_folder
    if d.folder is not None and d.folder not in folders:
        errors.add(loc, ("dashboard", "folder"), _unknown("folder", d.folder, folders))
    return m.Dashboard(
        uid=d.uid or naming.grafana_uid("slogen", spec.service),
        title=d.title or f"{spec.service} service level", folder_uid=folder, refresh=d.refresh,
        time_range=d.time_range, slo_panels=d.slo_panels, panels=tuple(d.panels),
        tags=tuple(sorted(set(d.tags))), datasource_uid=ds_uid,
        series=tuple(sorted(set(d.series))),
    )


# --- PromQL to syntax-check ------------------------------------------------------------------


def _for_promtool(expr: str) -> str:
    """Make a template parseable: windows become 5m, Grafana variables plain values."""
    expr = _normalize_placeholder(expr).replace(WINDOW_PLACEHOLDER, "5m")

    def sub(match: re.Match[str]) -> str:
        return "5m" if match.group(1).startswith("__") else "x"

    return _GRAFANA_VARIABLE.sub(sub, expr)


def _expressions(item: LoadedService) -> list[tuple[m.Source, str]]:
    """Every PromQL expression written in a service file, with where it was written."""
    spec, loc = item.spec, item.locator
    found: list[tuple[Loc, str]] = []
    for i, slo in enumerate(spec.slos):
        ev = slo.sli.events
        if ev is not None:
            for key in ("good", "bad", "total"):
                if getattr(ev, key) is not None:
                    found.append((("slos", i, "sli", "events", key), getattr(ev, key)))
    for i, a in enumerate(spec.alerts):
        for key, value in (("expr", a.expr), ("absent", a.absent)):
            if value is not None:
                found.append((("alerts", i, key), value))
        if a.stale is not None:
            found.append((("alerts", i, "stale", "timestamp"), a.stale.timestamp))
        for key in ("predict", "anomaly"):
            sub_spec = getattr(a, key)
            if sub_spec is not None:
                found.append((("alerts", i, key, "expr"), sub_spec.expr))
    for i, r in enumerate(spec.recording):
        if r.expr is not None:
            found.append((("recording", i, "expr"), r.expr))
    for i, g in enumerate(spec.grafana_alerts):
        if g.expr is not None:
            found.append((("grafana_alerts", i, "expr"), g.expr))
    for i, p in enumerate(spec.dashboard.panels):
        for j, q in enumerate(p.queries):
            found.append((("dashboard", "panels", i, "queries", j, "expr"), q.expr))
    for i, pol in enumerate(spec.policies):
        if pol.rollback is not None:
            if pol.rollback.deployed_at is not None:
                found.append((("policies", i, "rollback", "deployed_at"), pol.rollback.deployed_at))
            for j, t in enumerate(pol.rollback.triggers):
                found.append((("policies", i, "rollback", "triggers", j, "expr"), t.expr))
    return [(_source(loc, path), _for_promtool(expr)) for path, expr in found]
