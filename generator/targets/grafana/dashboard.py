"""Grafana dashboards, one per service and one overview, built with grafanalib.

Each dashboard is written once, as the plain JSON the file provider reads under
`grafana/provisioning/dashboards/json/`; `slogen apply` builds the body of
POST /api/dashboards/db from it and the provider file (which names each directory's folder).
Tags mark them as ours and carry a content hash, so `slogen apply` can tell an unchanged
dashboard without diffing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from grafanalib import core as g
from grafanalib._gen import DashboardEncoder

from generator.core import model as m
from generator.core import naming
from generator.core.groups import series_group_labels
from generator.targets.dump import json_text, yaml_text
from generator.targets.grafana import objects as grafana_objects
from generator.targets.grafana import overview as grafana_overview
from generator.targets.grafana import panels as p
from generator.targets.grafana.board import (
    LeanPanel,
    dashboard,
    datasource_variable,
    lean_panel,
    list_variable,
    query_variable,
    slogen_links,
    to_json,
)

JSON_DIR = grafana_objects.PROVISIONING / "dashboards" / "json"
PROVIDER_FILE = grafana_objects.PROVISIONING / "dashboards" / "slogen.yaml"
# Grafana resolves a provider path against its working directory, not the provisioning
# directory; the environment variable names the latter wherever Grafana runs (the official
# images set it), so out/ holds no absolute path.
PROVIDER_PATH = "$__env{GF_PATHS_PROVISIONING}/dashboards/json"
_QUANTILE_RECORD = re.compile(r"^service:(?P<hist>[a-zA-Z_:][a-zA-Z0-9_:]*):p(?P<pct>[0-9_]+)_rate")


def _histograms(service: m.Service) -> list[tuple[str, str, dict[float, str]]]:
    """(histogram, selector, recorded quantiles) for latency SLIs and recorded quantiles."""
    found: dict[str, tuple[str, dict[float, str]]] = {}
    for slo in service.slos:
        if slo.sli.kind is m.SliKind.LATENCY:
            hist = slo.sli.metrics[0]
            match = re.search(re.escape(hist) + r"_count(\{.*?\})?\[", slo.sli.total_query)
            found.setdefault(hist, ((match.group(1) or "") if match else "", {}))
    for rec in service.recordings:
        match = _QUANTILE_RECORD.match(rec.record)
        if match:
            quantile = round(float(match.group("pct").replace("_", ".")) / 100, 4)
            found.setdefault(match.group("hist"), ("", {}))[1].setdefault(quantile, rec.record)
    return [(hist, sel, rec) for hist, (sel, rec) in sorted(found.items())]


def _availability_selectors(service: m.Service) -> list[str]:
    return sorted({match.group(1) for slo in service.slos
                   if slo.sli.kind is m.SliKind.AVAILABILITY
                   for match in [re.search(r"up(\{.*?\})?\[", slo.sli.total_query)]
                   if match and match.group(1)})


def _targets_up(selector: str) -> p.Sized:
    expr = "up" + selector[:-1] + ', instance=~"$instance"}'
    return p.Sized(p.timeseries(f"Targets up {selector}", [(expr, "{{instance}}")],
                                [p.Step("red"), p.Step("green", 1)]), 12, 8)


def service_panels(service: m.Service, inline: bool) -> tuple[list[p.Sized], list[Any]]:
    """Panels and extra variables of a service dashboard; only the declared ones without SLOs.
    `inline`: the rules record only the SLO window's error ratio (prometheus.windows)."""
    declared = [p.declared(panel, service.name) for panel in service.dashboard.panels]
    if not service.dashboard.slo_panels:
        return declared, []
    panels, variables = slo_rows(service, inline)
    if panels:
        panels.append(p.row("Service"))
    panels += [p.latency_percentiles(h, sel, rec) for h, sel, rec in _histograms(service)]
    up_selectors = _availability_selectors(service)
    panels += [_targets_up(sel) for sel in up_selectors]
    panels += declared
    if service.health_checks:
        panels.append(p.health_checks(service))
    panels.append(p.alert_list(service.name))
    runbooks = p.runbooks(service)
    if runbooks is not None:
        panels.append(runbooks)
    variables += [query_variable("instance", f"label_values(up{sel}, instance)", "Instance")
                  for sel in up_selectors[:1]]
    return panels, variables


def slo_rows(service: m.Service, inline: bool) -> tuple[list[p.Sized], list[Any]]:
    """A row of four panels per SLO, written once per SLO shape: SLOs whose panels differ in
    their slo_id alone (same objective, window, alert windows, grouping and description) share
    one row repeated over a hidden variable listing their ids, so the file grows by a name per
    SLO, not by four panels. An SLO whose shape is its own gets a plain row."""
    shapes: dict[str, list[m.Slo]] = {}
    for slo in service.slos:
        shapes.setdefault(_shape(slo, inline), []).append(slo)
    panels: list[p.Sized] = []
    variables: list[Any] = []
    for slos in shapes.values():
        first = slos[0]
        if len(slos) == 1:
            panels += [p.row(first.id), *_slo_panels(first, inline, first.id)]
            continue
        name = f"slo{len(variables) + 1}"
        label = f"SLOs at {first.objective:g}% over {naming.window_suffix(first.window)}"
        variables.append(list_variable(name, label, [s.id for s in slos]))
        panels += [p.row(f"${name}", repeat=name), *_slo_panels(first, inline, f"${name}")]
    return panels, variables


def _slo_panels(slo: m.Slo, inline: bool, slo_id: str) -> list[p.Sized]:
    """`panels.slo_panels(slo, inline, slo_id)`, each panel read into its dashboard JSON once
    for every SLO with the same `panel_inputs` and `slo_id`: a repeated row (`$slo1`) is the
    same four panels in every dashboard that has one of that shape."""
    key = (panel_inputs(slo, inline), slo_id)
    found = _LEAN_ROWS.get(key)
    if found is None:
        if len(_LEAN_ROWS) >= _SHAPES_KEPT:
            _LEAN_ROWS.clear()
        found = _LEAN_ROWS[key] = [
            p.Sized(LeanPanel(lean_panel(item.panel)), item.width, item.height)
            for item in p.slo_panels(slo, inline, slo_id)]
    return found


_LEAN_ROWS: dict[tuple[tuple[object, ...], str], list[p.Sized]] = {}


_SHAPE_VAR = "$slo"


def _shape(slo: m.Slo, inline: bool) -> str:
    """What an SLO's panels are made of, its id left out."""
    key = panel_inputs(slo, inline)
    found = _SHAPES.get(key)
    if found is None:
        if len(_SHAPES) >= _SHAPES_KEPT:
            _SHAPES.clear()
        found = _SHAPES[key] = json.dumps(
            [item.panel.to_json_data() for item in p.slo_panels(slo, inline, _SHAPE_VAR)],
            cls=DashboardEncoder, sort_keys=True)
    return found


def panel_inputs(slo: m.Slo, inline: bool) -> tuple[object, ...]:
    """Everything of `slo` that `panels.slo_panels` reads besides the id: SLOs equal in these
    have equal panels, so their shape is written once (a thousand SLOs have a few shapes, and
    building each one's panels to compare them cost a fifth of the dashboards' time).
    tests/targets/test_grafana_dashboard.py changes every other field and holds the panels
    unchanged."""
    return (inline, slo.objective, slo.window, slo.burn_windows, slo.step, slo.description,
            tuple(series_group_labels(slo)))


_SHAPES: dict[tuple[object, ...], str] = {}
_SHAPES_KEPT = 512  # JSON of a few kilobytes each; SLOs of one service come together


def service_dashboard(service: m.Service, inline: bool) -> g.Dashboard:
    """The dashboard of one service, for the rule layout `inline` or recorded."""
    d = service.dashboard
    panels, variables = service_panels(service, inline)
    return dashboard(d.uid, d.title, panels, [datasource_variable(d.datasource_uid), *variables],
                     d, [*d.tags, f"service:{service.name}", f"team:{service.team}"],
                     slogen_links(service.runbook), service.description)


def alert_panels(model: m.Model) -> dict[str, tuple[str, int]]:
    """Service name -> (dashboard uid, id of its alert list panel), for the services that have
    Grafana-managed alerts and a dashboard with an alert list: the panel their rules link to."""
    inline = model.prometheus.windows == "inline"
    found: dict[str, tuple[str, int]] = {}
    for service in model.services:
        if not service.grafana_alerts:
            continue
        data = to_json(service_dashboard(service, inline))
        ids = [panel["id"] for panel in data.get("panels", []) if panel.get("type") == "alertlist"]
        if ids:
            found[service.name] = (str(data["uid"]), int(ids[0]))
    return found


def folders(model: m.Model) -> list[str]:
    """The folder uid of every dashboard ("" for the general folder), each once, sorted."""
    if _FOLDERS and _FOLDERS[0][0] is model:
        return _FOLDERS[0][1]
    found = sorted({s.dashboard.folder_uid or "" for s in model.services}
                   | {model.grafana.dashboard_folder or ""})
    _FOLDERS[:] = [(model, found)]  # asked once per service: remembered for the last model
    return found


_FOLDERS: list[tuple[m.Model, list[str]]] = []


def _board_path(in_use: list[str], folder: str | None, uid: object) -> PurePath:
    # One provider per folder; Grafana walks a provider's directory recursively, so with more
    # than one folder each gets its own directory.
    subdir = JSON_DIR / (folder or "general") if len(in_use) > 1 else JSON_DIR
    return subdir / f"{uid}.json"


def render_service(model: m.Model, service: m.Service) -> dict[PurePath, str]:
    """The dashboard file of one service."""
    data = to_json(service_dashboard(service, model.prometheus.windows == "inline"))
    return {_board_path(folders(model), service.dashboard.folder_uid, data["uid"]):
            json_text(data)}


def render_shared(model: m.Model) -> dict[PurePath, str]:
    """The overview dashboard, the provider file, folders and datasources."""
    files = grafana_objects.render(model)
    in_use = folders(model)
    overview = to_json(grafana_overview.overview_dashboard(model))
    files[_board_path(in_use, model.grafana.dashboard_folder, overview["uid"])] = \
        json_text(overview)
    titles = {f.uid: f.title for f in model.grafana.folders}
    split = len(in_use) > 1
    providers = [_provider(f or None, titles,
                           f"{PROVIDER_PATH}/{f or 'general'}" if split else PROVIDER_PATH)
                 for f in in_use]
    sources = [model.global_file, *(s.source_file for s in model.services)]
    files[PROVIDER_FILE] = yaml_text(
        grafana_objects.sorted_keys({"apiVersion": 1, "providers": providers}), sources)
    return files


def _provider(folder_uid: str | None, titles: Mapping[str, str], path: str) -> dict[str, Any]:
    return {"name": folder_uid or "slogen-general", "orgId": grafana_objects.ORG_ID,
            "type": "file", "folder": titles.get(folder_uid or "", ""),
            "folderUid": folder_uid or "", "disableDeletion": False, "allowUiUpdates": False,
            "updateIntervalSeconds": 30, "options": {"path": path}}


def render(model: m.Model) -> dict[PurePath, str]:
    """Dashboards as provisioning JSON, the provider file, folders, datasources."""
    files = {p: t for s in model.services for p, t in render_service(model, s).items()}
    return files | render_shared(model)
