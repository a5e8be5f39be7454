"""Grafana-managed alert rules and dashboards, checked against declared folders and datasources."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from generator.core import model as m
from generator.core import naming
from generator.core.durations import format_duration
from generator.core.errors import Loc, SpecError
from generator.specfile import build_settings as settings
from generator.specfile import models as s
from generator.specfile.build_common import (
    Errors,
    condition,
    mttd_target,
    runbook,
    spec_source,
    unknown,
)
from generator.specfile.loader import Locator

GRAFANA_SCHEDULER_STEP = timedelta(seconds=10)


def build_grafana_alert(spec: s.ServiceSpec, index: int, grafana: m.GrafanaSettings,
                         loc: Locator, errors: Errors) -> m.GrafanaAlert:
    a = spec.grafana_alerts[index]
    path: Loc = ("grafana_alerts", index)
    by_uid = {d.uid: d for d in grafana.datasources}
    ds = by_uid.get(a.datasource)
    if ds is None:
        errors.add(loc, (*path, "datasource"), unknown("datasource", a.datasource, sorted(by_uid)))
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
        errors.add(loc, (*path, "folder"), unknown("folder", folder, folders))
    if a.every % GRAFANA_SCHEDULER_STEP:
        errors.add(loc, (*path, "every"), f"every {format_duration(a.every)} must be a multiple of "
                                          "10s, the Grafana scheduler's step")
    cond = condition(a.above, a.below, a.equals, a.outside)
    assert cond is not None
    summary = a.summary or f"{a.name} on {spec.service}"
    return m.GrafanaAlert(
        uid=naming.grafana_uid(spec.service, a.name), title=a.name, service=spec.service,
        team=spec.team, folder_uid=folder, group=a.group or spec.service,
        datasource_uid=a.datasource, datasource_type=ds_type, sql=a.sql, expr=a.expr,
        reduce=a.reduce, condition=cond, range=a.range, every=a.every, for_=a.for_,
        no_data=a.no_data, exec_error=a.exec_error, severity=a.severity, summary=summary,
        description=a.description or summary, runbook=runbook(spec, None, a.name),
        labels=dict(sorted({**spec.labels, **a.labels}.items())),
        annotations=dict(sorted(a.annotations.items())), source=spec_source(loc, path),
        mttd=mttd_target(loc, a.mttd, (*path, "mttd")),
    )


def check_grafana_groups(services: Sequence[m.Service], errors: Errors) -> None:
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


def build_dashboard(spec: s.ServiceSpec, grafana: m.GrafanaSettings, loc: Locator,
                     errors: Errors) -> m.Dashboard:
    d = spec.dashboard
    by_uid = {x.uid: x for x in grafana.datasources}
    ds_uid = spec.datasource or grafana.default_datasource
    if spec.datasource is not None:
        ds = by_uid.get(spec.datasource)
        if ds is None:
            errors.add(loc, ("datasource",),
                       unknown("datasource", spec.datasource, sorted(by_uid)))
        elif ds.type is not m.DatasourceType.PROMETHEUS:
            errors.add(loc, ("datasource",), f"datasource {ds.uid!r} is {ds.type.value}; "
                                             "dashboards need a prometheus datasource")
    folders = sorted(f.uid for f in grafana.folders)
    folder = d.folder or grafana.dashboard_folder
    if d.folder is not None and d.folder not in folders:
        errors.add(loc, ("dashboard", "folder"), unknown("folder", d.folder, folders))
    return m.Dashboard(
        uid=d.uid or naming.grafana_uid("slogen", spec.service),
        title=d.title or f"{spec.service} service level", folder_uid=folder, refresh=d.refresh,
        time_range=d.time_range, slo_panels=d.slo_panels,
        panels=tuple(settings.panel(p) for p in d.panels),
        tags=tuple(sorted(set(d.tags))), datasource_uid=ds_uid,
        series=tuple(sorted(set(d.series))),
        link=naming.dashboard_link(d.uid or naming.grafana_uid("slogen", spec.service),
                                   grafana.url),
    )
