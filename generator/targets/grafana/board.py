"""Dashboard-level building blocks: layout, variables, links, serialisation and content hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import attr
from grafanalib import core as g
from grafanalib._gen import DashboardEncoder

from generator.core import model as m
from generator.core import naming
from generator.core.durations import format_duration
from generator.targets.grafana import panels as p

HASH_TAG_PREFIX = "slogen-hash:"
SCHEMA_VERSION = 39
GRID_WIDTH = 24


def content_hash(dashboard: Mapping[str, Any]) -> str:
    """First 12 hex of the sha256 of the canonical dashboard JSON without its hash tag."""
    tags = [t for t in dashboard.get("tags", []) if not t.startswith(HASH_TAG_PREFIX)]
    canonical = json.dumps({**dashboard, "tags": tags}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def layout(items: Sequence[p.Sized]) -> list[Any]:
    """Place panels left to right, wrapping at the grid width; ids follow the order."""
    placed, x, y, row_height = [], 0, 0, 0
    for index, item in enumerate(items, start=1):
        width = min(item.width, GRID_WIDTH)
        if x + width > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        pos = g.GridPos(h=item.height, w=width, x=x, y=y)
        placed.append(attr.evolve(item.panel, gridPos=pos, id=index))
        x, row_height = x + width, max(row_height, item.height)
    return placed


def _time_range(value: timedelta) -> str:
    """Hours up to a week, as people say them ("last 48h"); longer ranges in days."""
    hours, rest = divmod(value, timedelta(hours=1))
    return f"{hours}h" if not rest and hours < 7 * 24 else format_duration(value)


def datasource_variable(default_uid: str) -> g.Template:
    """The `datasource` variable every query uses, defaulting to the declared datasource."""
    return g.Template(name=p.DATASOURCE_VAR, label="Data source", query="prometheus",
                      type="datasource", default=default_uid)


@attr.s(frozen=True)
class ListVariable:
    """A hidden custom variable whose values are listed in the dashboard, all selected: what a
    repeated row iterates over. Grafana builds the options from `query` when it loads."""

    name: str = attr.ib()
    label: str = attr.ib()
    values: tuple[str, ...] = attr.ib()

    def to_json_data(self) -> dict[str, Any]:
        """The variable JSON: type custom, comma-separated values, multi-value, All current."""
        return {"type": "custom", "name": self.name, "label": self.label,
                "query": ",".join(self.values), "multi": True, "includeAll": True,
                "current": {"text": ["All"], "value": ["$__all"]}, "hide": HIDE_VARIABLE}


HIDE_VARIABLE = 2


def list_variable(name: str, label: str, values: Sequence[str]) -> ListVariable:
    """A hidden variable over `values` (which hold no comma), all selected."""
    return ListVariable(name=name, label=label, values=tuple(values))


def query_variable(name: str, query: str, label: str) -> g.Template:
    """A multi-value label variable, all selected by default."""
    return g.Template(name=name, label=label, query=query, dataSource=p.PROMETHEUS_REF,
                      includeAll=True, multi=True, allValue=".*", default="$__all", refresh=2)


def dashboard(uid: str, title: str, panels: Sequence[p.Sized], variables: Sequence[Any],
              settings: m.Dashboard | None, tags: Sequence[str], links: Sequence[g.DashboardLink],
              description: str = "") -> g.Dashboard:
    """A dashboard with slogen's defaults: UTC, stable uid, managed tag."""
    refresh = format_duration(settings.refresh) if settings and settings.refresh else ""
    time_range = _time_range(settings.time_range) if settings else "6h"
    return g.Dashboard(
        title=title, uid=uid, description=description, panels=layout(panels),
        templating=g.Templating(list=list(variables)), refresh=refresh or False,
        time=g.Time(f"now-{time_range}", "now"), timezone="utc", schemaVersion=SCHEMA_VERSION,
        tags=sorted({*tags, naming.MANAGED_TAG}), links=list(links), editable=False,
    )


def slogen_links(runbook: str | None) -> list[g.DashboardLink]:
    """A dropdown of every slogen dashboard, and the service runbook when there is one."""
    links = [g.DashboardLink(title="slogen dashboards", type="dashboards", asDropdown=True,
                             tags=[naming.MANAGED_TAG], includeVars=False, keepTime=True)]
    if runbook:
        links.append(g.DashboardLink(title="Runbook", type="link", uri=runbook, icon="doc",
                                     targetBlank=True, keepTime=False))
    return links


def to_json(board: g.Dashboard) -> dict[str, Any]:
    """Serialise at the edge: lean JSON data with the content-hash tag added."""
    try:
        data: dict[str, Any] = lean_data(board)
    except _Unusual:
        data = lean(json.loads(json.dumps(board.to_json_data(), cls=DashboardEncoder)))
    data = without_defaults(data)
    data["tags"] = sorted([*data["tags"], HASH_TAG_PREFIX + content_hash(data)])
    return data


# Keys grafanalib writes that Grafana's current dashboard schema (schemaVersion 39) no longer
# reads: the pre-5.0 row layout and gallery fields, panel spans, the old style switch.
_LEGACY = frozenset({"rows", "gnetId", "style", "hideControls", "sharedCrosshair", "__inputs",
                     "span", "minSpan", "height", "error", "cacheTimeout"})
# Panels carry no `editable` of their own any more (the dashboard's decides).
_LEGACY_PANEL = frozenset({"editable"})
# Legacy query fields: `query` repeats `expr`, `step`/`metric`/`target` are pre-7 Graphite-era
# fields the Prometheus query editor no longer reads, `intervalFactor` its former "Resolution"
# (grafanalib's 1/2 halved each panel's resolution; the step follows maxDataPoints alone now).
_LEGACY_TARGET = frozenset({"query", "step", "metric", "target", "intervalFactor"})
# Values equal to what Grafana assumes when the key is missing.
_DEFAULTS: dict[str, Any] = {"hideTimeOverride": False, "transparent": False, "hide": False,
                             "instant": False, "interval": "", "format": "time_series",
                             "repeatDirection": "h"}


class _Unusual(Exception):
    """A value the JSON encoder writes as another type (a subclass of str, int, dict...):
    left to the encoder."""


_SCALARS = frozenset({str, int, float, bool, type(None)})
_PLAIN = _SCALARS | {dict, list, tuple}


def _data(node: Any) -> Any:
    """`node` as the JSON encoder sees it: a grafanalib object (anything with `to_json_data`)
    as the data it stands for, plain data as it is."""
    while type(node) not in _SCALARS and type(node) is not dict and type(node) is not list \
            and type(node) is not tuple:
        if isinstance(node, str | int | float | dict | list | tuple):
            raise _Unusual
        to_json_data = getattr(node, "to_json_data", None)
        if to_json_data is None:
            raise _Unusual  # the encoder fails on it: let it say so
        node = to_json_data()
    return node


def lean_data(board: Any) -> Any:
    """`lean` of the JSON grafanalib's encoder writes for `board`, in one walk over its objects
    (tuples as lists): what `lean(json.loads(json.dumps(board, cls=DashboardEncoder)))` gives,
    without writing and parsing the text in between (a third of the dashboards' time). Raises
    _Unusual where the encoder would write a value as another type."""
    return lean(_data(board), "")


def _plain(node: Any) -> Any:
    """`node` (as `_data` gives it) as the encoder writes it, every member plain data."""
    if type(node) is dict:
        if any(type(k) is not str for k in node):
            raise _Unusual
        return {k: _plain(_data(v)) for k, v in node.items()}
    if type(node) is list or type(node) is tuple:
        return [_plain(_data(v)) for v in node]
    return node


@attr.s(frozen=True, eq=False)
class LeanPanel:
    """A panel read once (`lean_panel`) and placed again and again: `layout` places it as a
    grafanalib panel, and `to_json` takes its data as it is instead of reading the panel's
    objects anew. For the SLO rows that dashboards repeat (equal panels, `slo_rows`)."""

    data: Mapping[str, Any] = attr.ib()
    gridPos: g.GridPos | None = attr.ib(default=None)  # noqa: N815 - grafanalib's field name
    id: int | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        """The panel's JSON data (already lean) with its place on the grid."""
        return {**self.data, "gridPos": self.gridPos, "id": self.id}

    def placed(self) -> dict[str, Any]:
        """`lean` of `to_json_data` in a dashboard's panel list: its data needs no reading."""
        out = dict(self.data)
        if self.gridPos is not None:
            out["gridPos"] = lean(_data(self.gridPos), "gridPos")
        if self.id is not None:
            out["id"] = self.id
        return out


def lean_panel(panel: Any) -> dict[str, Any]:
    """A panel's JSON data as `to_json` writes it in a dashboard, its position and id left out
    (`panel` has none yet): what a LeanPanel carries. Never changed after: shared by every
    dashboard that places it."""
    data: dict[str, Any] = _panel(lean(_data(panel), "panels"))
    return data


def lean(node: Any, key: str = "") -> Any:
    """`node` without what Grafana fills in itself: legacy keys, nulls, empty lists and objects,
    and fields at their default; a threshold step keeps `value: null` (the base step). `node`
    is plain JSON data, or as `_data` gives it, its members still grafanalib objects."""
    if type(node) is list or type(node) is tuple:
        items = []
        for item in node:
            if type(item) is LeanPanel:
                # Lean already; `_panel` leaves it as it is when `without_defaults` asks again.
                items.append(item.placed())
                continue
            if type(item) not in _PLAIN:
                item = _data(item)
            items.append(item if type(item) in _SCALARS else lean(item, key))
        return items
    if type(node) is not dict:
        return node
    out: dict[str, Any] = {}
    is_step = key == "steps"
    is_target, is_panel = key == "targets", key == "panels"
    for k, v in node.items():
        if type(k) is not str:
            raise _Unusual  # the encoder writes other keys as strings
        kind = type(v)
        if kind not in _PLAIN:
            v = _data(v)
            kind = type(v)
        if is_step and k == "value":
            out[k] = v if kind in _SCALARS else _plain(v)
            continue
        if k in _LEGACY or (is_target and k in _LEGACY_TARGET) or (is_panel and k in _LEGACY_PANEL):
            continue
        if kind in _SCALARS:
            if v is None or (k in _DEFAULTS and v == _DEFAULTS[k]
                             and kind is type(_DEFAULTS[k])):
                continue
        else:
            v = lean(v, k)
            if not v:
                continue
        out[k] = v
    return out


# What Grafana (schemaVersion 39) assumes when a key is missing, written by grafanalib on every
# dashboard, variable and panel: the default time picker (its `time_options` list is no longer
# read), the shared-tooltip switch, the stat and time-series panel options and field styles.
_BOARD_DEFAULTS: dict[str, Any] = {
    "graphTooltip": 0, "description": "",
    "timepicker": {"hidden": False, "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m",
                                                          "30m", "1h", "2h", "1d"]},
}
# `auto*` belong to interval variables only; `useTags` to the tag values Grafana 8 removed.
_VARIABLE_LEGACY = frozenset({"auto", "auto_count", "auto_min", "useTags"})
_MISSING = object()
_VARIABLE_DEFAULTS: dict[str, Any] = {"hide": 0, "includeAll": False, "multi": False}
_OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "stat": {"colorMode": "value", "graphMode": "area", "justifyMode": "auto",
             "orientation": "auto", "textMode": "auto",
             "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
    "timeseries": {"legend": {"displayMode": "list", "placement": "bottom"},
                   "tooltip": {"mode": "single", "sort": "none"}},
    "table": {"showHeader": True},
}
# Field defaults: "No data" is what a panel shows anyway, palette-classic a time series' colours.
_FIELD_DEFAULTS: dict[str, dict[str, Any]] = {
    "stat": {"noValue": "No data"}, "gauge": {"noValue": "No data"},
    "timeseries": {"noValue": "No data", "color": {"mode": "palette-classic"}},
}
_CUSTOM_DEFAULTS: dict[str, dict[str, Any]] = {
    "timeseries": {"axisLabel": "", "axisPlacement": "auto", "barAlignment": 0,
                   "drawStyle": "line", "fillOpacity": 0, "gradientMode": "none",
                   "hideFrom": {"legend": False, "tooltip": False, "viz": False},
                   "lineInterpolation": "linear", "lineWidth": 1, "pointSize": 5,
                   "scaleDistribution": {"log": 2, "type": "linear"}, "showPoints": "auto",
                   "spanNulls": False, "thresholdsStyle": {"mode": "off"}},
    # `displayMode` is the pre-10 name of the cell options; `auto` is what both default to.
    "table": {"align": "auto", "displayMode": "auto", "filterable": False},
}
# The pre-7 table panel's font size and colour mode, which today's table does not read.
_PANEL_LEGACY = {"table": frozenset({"fontSize", "color"})}


def _drop_equal(node: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """`node` without the keys whose value equals `defaults`' (nested objects key by key)."""
    out = {}
    for key, value in node.items():
        default = defaults.get(key, _MISSING)
        if isinstance(value, dict) and isinstance(default, dict):
            value = _drop_equal(value, default)
            if not value:
                continue
        elif value == default and type(value) is type(default):
            continue
        out[key] = value
    return out



def without_defaults(board: dict[str, Any]) -> dict[str, Any]:
    """`board` without what Grafana assumes anyway: board, variable and panel defaults, and
    each query's datasource when it is its panel's."""
    board = _drop_equal(board, _BOARD_DEFAULTS)
    if "templating" in board:
        board["templating"] = {"list": [
            _drop_equal({k: v for k, v in var.items() if k not in _VARIABLE_LEGACY},
                        _VARIABLE_DEFAULTS) for var in board["templating"].get("list", [])]}
    board["panels"] = [_panel(panel) for panel in board.get("panels", [])]
    return board


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    """A lean panel (see `lean`) without its defaults; lean still: a member that this leaves
    empty goes too."""
    kind = panel.get("type", "")
    panel = {k: v for k, v in panel.items() if k not in _PANEL_LEGACY.get(kind, ())}
    if "options" in panel:
        _set_lean(panel, "options", _drop_equal(panel["options"], _OPTION_DEFAULTS.get(kind, {})))
    if "defaults" in panel.get("fieldConfig", {}):
        defaults = _drop_equal(panel["fieldConfig"]["defaults"], _FIELD_DEFAULTS.get(kind, {}))
        if "custom" in defaults:
            _set_lean(defaults, "custom",
                      _drop_equal(defaults["custom"], _CUSTOM_DEFAULTS.get(kind, {})))
        field_config = {**panel["fieldConfig"]}
        _set_lean(field_config, "defaults", defaults)
        _set_lean(panel, "fieldConfig", field_config)
    if "targets" in panel:
        panel["targets"] = [{k: v for k, v in t.items()
                             if not (k == "datasource" and v == panel.get("datasource"))}
                            for t in panel["targets"]]
    if kind == "row":
        panel["panels"] = []  # an open row's: its panels follow it on the grid
    return panel


def _set_lean(node: dict[str, Any], key: str, value: dict[str, Any]) -> None:
    """`node[key] = value`, or no `key` when `value` is empty (as `lean` leaves it)."""
    if value:
        node[key] = value
    else:
        node.pop(key, None)
