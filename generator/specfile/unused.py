"""Warnings for declared-but-unused entries of the global file (receivers, databases, folders,
datasources, time intervals). Unused entries are not errors: they may be staged for later."""

from __future__ import annotations

from generator.core import model as m
from generator.core.errors import SpecError
from generator.specfile.models import GlobalSpec
from generator.specfile.yamlread import Locator


def unused_entries(model: m.Model, gl: GlobalSpec, loc: Locator) -> tuple[SpecError, ...]:
    """One located warning per global entry that nothing in the specs refers to."""
    found: list[SpecError] = []
    tree = model.route_tree
    if tree is not None:
        routed = {tree.receiver} | {r for route in tree.routes for r in route.receivers}
        found += [loc.error(("receivers", i, "name"),
                            f"warning: receiver {r.name!r} is declared but no route sends to it")
                  for i, r in enumerate(gl.receivers) if r.name not in routed]
        timed = {route.active_during for route in tree.routes}
        found += [loc.error(("routing", "time_intervals", name),
                            f"warning: time interval {name!r} is not used by any route")
                  for name in tree.time_intervals if name not in timed]
    checks = [c for s in model.services for c in s.health_checks]
    queried = {c.database for c in checks} | {c.compare_database for c in checks}
    found += [loc.error(("databases", name),
                        f"warning: database {name!r} is declared but no health check uses it")
              for name in gl.databases if name not in queried]
    return (*found, *_unused_grafana(model, gl, loc))


def _unused_grafana(model: m.Model, gl: GlobalSpec, loc: Locator) -> list[SpecError]:
    g = model.grafana
    alerts = [a for s in model.services for a in s.grafana_alerts]
    boards = [s.dashboard for s in model.services]
    filled = {g.dashboard_folder, g.alert_folder} | {b.folder_uid for b in boards}
    filled |= {a.folder_uid for a in alerts}
    queried = {g.default_datasource} | {b.datasource_uid for b in boards}
    queried |= {a.datasource_uid for a in alerts}
    found = [loc.error(("grafana", "folders", i, "uid"),
                       f"warning: folder {f.uid!r} is declared but nothing is put in it")
             for i, f in enumerate(gl.grafana.folders) if f.uid not in filled]
    found += [loc.error(("grafana", "datasources", i, "uid"),
                        f"warning: datasource {d.uid!r} is declared but nothing queries it")
              for i, d in enumerate(gl.grafana.datasources) if d.uid not in queried]
    return found
