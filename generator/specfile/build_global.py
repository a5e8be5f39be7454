"""The global file: Grafana folders and datasources, receivers and routing."""

from __future__ import annotations

from generator.core import model as m
from generator.core.errors import Loc
from generator.specfile import build_settings as settings
from generator.specfile import models as s
from generator.specfile.build_common import Errors, duplicates, unknown
from generator.specfile.loader import Locator

DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090"


def build_grafana(gl: s.GlobalSpec, loc: Locator, errors: Errors) -> m.GrafanaSettings:
    g = gl.grafana
    for i, uid, j in duplicates(f.uid for f in g.folders):
        errors.add(loc, ("grafana", "folders", i, "uid"),
                   f"duplicate folder uid {uid!r}; grafana.folders[{j}] has it already")
    for i, uid, j in duplicates(d.uid for d in g.datasources):
        errors.add(loc, ("grafana", "datasources", i, "uid"),
                   f"duplicate datasource uid {uid!r}; grafana.datasources[{j}] has it already")
    folder_uids = sorted(f.uid for f in g.folders)
    for key in ("dashboard_folder", "alert_folder"):
        uid = getattr(g, key)
        if uid is not None and uid not in folder_uids:
            errors.add(loc, ("grafana", key), unknown("folder", uid, folder_uids))
    datasources = [settings.datasource(d) for d in g.datasources]
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
        folders=tuple(settings.folder(f) for f in sorted(g.folders, key=lambda f: f.uid)),
        datasources=tuple(sorted(datasources, key=lambda d: d.uid)),
        dashboard_folder=g.dashboard_folder,
        alert_folder=g.alert_folder,
        disable_provenance=g.disable_provenance,
        default_datasource=(defaults or proms)[0].uid,
        url=g.url,
    )


def check_routing(gl: s.GlobalSpec, loc: Locator, errors: Errors) -> None:
    names = sorted(r.name for r in gl.receivers)
    for i, name, j in duplicates(r.name for r in gl.receivers):
        errors.add(loc, ("receivers", i, "name"),
                   f"duplicate receiver {name!r}; receivers[{j}] has it already")
    r = gl.routing
    if r is None:
        return

    def need(path: Loc, name: str) -> None:
        if name not in names:
            errors.add(loc, path, unknown("receiver", name, names))

    need(("routing", "receiver"), r.receiver)
    for sev, route in r.severities.items():
        for i, name in enumerate(route.receivers):
            need(("routing", "severities", sev.value, "receivers", i), name)
        if route.active_during is not None and route.active_during not in r.time_intervals:
            errors.add(loc, ("routing", "severities", sev.value, "active_during"),
                       unknown("time interval", route.active_during, sorted(r.time_intervals)))
    for j, override in enumerate(r.overrides):
        for i, name in enumerate(override.receivers):
            need(("routing", "overrides", j, "receivers", i), name)
