"""Dashboard panels as grafanalib objects, one small function per panel.

Panels carry a size but no position; `grafana_dashboard` lays them out. Every query goes to the
dashboard's `datasource` template variable, so one JSON works against any Prometheus datasource.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import attr
from grafanalib import core as g

from generator.core import model as m
from generator.core import naming
from generator.core.groups import legend
from generator.core.promql import num
from generator.core.windows import BASE, recorded_windows, slo_window_ratio, window_ratio

DATASOURCE_VAR = "datasource"
PROMETHEUS_REF = {"type": "prometheus", "uid": "${" + DATASOURCE_VAR + "}"}
QUANTILES = (0.5, 0.95, 0.99)
LATENCY_RATE = timedelta(minutes=5)


@attr.s(frozen=True)
class Step:
    """A threshold step: from `value` up the panel shows `color`; the base step has no value."""

    color: str = attr.ib()
    value: float | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        """Grafana's fieldConfig threshold step."""
        return {"color": self.color, "value": self.value}


@attr.s(frozen=True)
class AlertListPanel:
    """The unified-alerting alert list (grafanalib only has the legacy one)."""

    title: str = attr.ib()
    label_filter: str = attr.ib(default="")
    gridPos: g.GridPos | None = attr.ib(default=None)  # noqa: N815 - grafanalib's field name
    id: int | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        """Panel JSON of type alertlist with the unified-alerting options."""
        return {
            "type": "alertlist", "title": self.title, "id": self.id, "gridPos": self.gridPos,
            "options": {
                "alertInstanceLabelFilter": self.label_filter, "alertName": "",
                "dashboardAlerts": False, "groupBy": [], "groupMode": "default",
                "maxItems": 20, "sortOrder": 1, "viewMode": "list",
                "stateFilter": {"firing": True, "pending": True, "noData": True, "error": True,
                                "normal": False},
            },
        }


@dataclass(frozen=True)
class Sized:
    """A panel with its requested width and height in grid units."""

    panel: Any
    width: int = 12
    height: int = 8


def _target(expr: str, legend: str = "", ref: str = "A", *, instant: bool = False,
            table: bool = False) -> g.Target:
    return g.Target(expr=expr, legendFormat=legend, refId=ref, datasource=PROMETHEUS_REF,
                    instant=instant, format="table" if table else "time_series")


def _targets(queries: Sequence[tuple[str, str]]) -> list[g.Target]:
    return [_target(expr, legend, chr(ord("A") + i)) for i, (expr, legend) in enumerate(queries)]


def _sel(**labels: str) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def stat(title: str, queries: Sequence[tuple[str, str]], steps: Sequence[Step], unit: str = "none",
         description: str = "") -> g.Stat:
    """A stat showing the last value, coloured by `steps`."""
    return g.Stat(title=title, description=description or None, dataSource=PROMETHEUS_REF,
                  targets=_targets(queries), thresholds=list(steps), format=unit,
                  reduceCalc="lastNotNull", graphMode="area", colorMode="value",
                  noValue="No data")


def timeseries(title: str, queries: Sequence[tuple[str, str]], steps: Sequence[Step] = (),
               unit: str = "", description: str = "") -> g.TimeSeries:
    """A time series; thresholds, when given, are drawn as lines."""
    return g.TimeSeries(title=title, description=description or None, dataSource=PROMETHEUS_REF,
                        targets=_targets(queries), thresholds=list(steps) or [Step("green")],
                        unit=unit, thresholdsStyleMode="line" if steps else "off")


def gauge(title: str, queries: Sequence[tuple[str, str]], steps: Sequence[Step], unit: str = "none",
          description: str = "") -> g.GaugePanel:
    """A gauge of the last value."""
    return g.GaugePanel(title=title, description=description or None, dataSource=PROMETHEUS_REF,
                        targets=_targets(queries), thresholds=list(steps) or [Step("green")],
                        format=unit, calc="lastNotNull")


def table(title: str, queries: Sequence[tuple[str, str]], description: str = "") -> g.Table:
    """A table of instant values, one column per query, rows joined on their labels."""
    targets = [_target(expr, legend, chr(ord("A") + i), instant=True, table=True)
               for i, (expr, legend) in enumerate(queries)]
    return g.Table(title=title, description=description or None, dataSource=PROMETHEUS_REF,
                   targets=targets, transformations=[{"id": "merge", "options": {}}])


def text(title: str, content: str) -> g.Text:
    """A markdown text panel."""
    return g.Text(title=title, content=content, mode="markdown")


# --- SLO panels ---------------------------------------------------------------------------------


def sli_window(slo: m.Slo) -> timedelta:
    """The shortest alert window of an SLO: the resolution of its SLI-over-time panel."""
    return min(burn_windows(slo) or [slo.window])


def burn_windows(slo: m.Slo) -> list[timedelta]:
    """Every alert window of an SLO from the 5m base up, shortest first (a shorter window, such
    as the 1m short window of the fast page tier, reads the same 5m rates)."""
    return sorted({w for bw in slo.burn_windows for w in (bw.short, bw.long) if w >= BASE})


def burn_rate(window: timedelta, selector: str, recorded: Collection[timedelta],
              step: timedelta | None, budget: float) -> str:
    """Burn rate over `window`: the error ratio over the error budget, written out as the alert
    expressions write it (the recorded error-budget series holds the same number).

    The ratio is the recorded series when `window` is in `recorded`, else computed from the
    recorded 5m rates with the formula the alert expressions use.
    """
    return f"{_grouped(window_ratio(window, selector, recorded, step))} / {num(budget)}"


_PARENS = re.compile(r"[()]")


def _grouped(expr: str) -> str:
    """`expr` as one operand: as it is when one pair of parentheses or no space encloses it."""
    if " " not in expr:
        return expr
    if not expr.startswith("("):
        return f"({expr})"
    # The depth comes back to 0 only at a closing parenthesis: look at those alone.
    depth = 0
    for match in _PARENS.finditer(expr):
        depth += 1 if match.group() == "(" else -1
        if depth == 0 and match.start() < len(expr) - 1:
            return f"({expr})"
    return expr


def slo_sli_stat(slo: m.Slo, inline: bool, sel: str) -> Sized:
    """SLI over the SLO window against the objective: red below it, yellow past half the budget."""
    ratio = slo_window_ratio(slo, sel, inline)
    expr = f"1 - {ratio}"
    # Rounded so 1 - 0.001 is written 0.999, not 0.9990000000000001.
    steps = [Step("red"), Step("yellow", round(slo.target, 9)),
             Step("green", round(1 - slo.error_budget / 2, 9))]
    title = f"SLI ({naming.window_suffix(slo.window)}, objective {slo.objective:g}%)"
    return Sized(stat(title, [(expr, legend(slo, "SLI"))], steps, "percentunit",
                      slo.description), 6, 6)


def slo_budget_stat(slo: m.Slo, sel: str) -> Sized:
    """Error budget left in the SLO window."""
    expr = f"{naming.SLO_BUDGET_REMAINING}{sel}"
    steps = [Step("red"), Step("yellow", 0.0), Step("green", 0.25)]
    queries = [(expr, legend(slo, "remaining"))]
    return Sized(stat("Error budget remaining", queries, steps, "percentunit"), 6, 6)


def slo_burn_rates(slo: m.Slo, inline: bool, sel: str) -> Sized:
    """Burn rate over every alert window, with the lowest page and ticket factors as lines."""
    recorded = recorded_windows(slo, inline)
    queries = [(burn_rate(w, sel, recorded, slo.step, slo.error_budget),
                legend(slo, naming.window_suffix(w)))
               for w in burn_windows(slo)]
    steps = [Step("green")]
    for level, color in (("ticket", "yellow"), ("page", "red")):
        factors = [bw.factor for bw in slo.burn_windows if bw.level == level]
        if factors:
            steps.append(Step(color, min(factors)))
    steps.sort(key=lambda s: -1.0 if s.value is None else s.value)
    return Sized(timeseries("Burn rate", queries, steps, "none"), 12, 6)


def slo_sli_over_time(slo: m.Slo, inline: bool, sel: str) -> Sized:
    """SLI at the shortest window beside the objective."""
    window = sli_window(slo)
    ratio = (slo_window_ratio(slo, sel, inline) if window == slo.window
             else window_ratio(window, sel, recorded_windows(slo, inline), slo.step))
    queries = [(f"1 - {ratio}",
                legend(slo, f"SLI ({naming.window_suffix(window)})")),
               (f"{naming.SLO_OBJECTIVE}{sel}", "objective")]
    return Sized(timeseries("SLI over time", queries, (), "percentunit"), 24, 7)


def slo_panels(slo: m.Slo, inline: bool, slo_id: str | None = None) -> list[Sized]:
    """The four panels of one SLO, titled without its name (the row above them carries it),
    for `slo_id` (a template variable such as `$slo1` in a repeated row; the SLO's own id by
    default). With `inline`, windows the rules do not record are computed from the recorded
    5m rates."""
    sel = _sel(slo_id=slo.id if slo_id is None else slo_id)
    return [slo_sli_stat(slo, inline, sel), slo_budget_stat(slo, sel),
            slo_burn_rates(slo, inline, sel), slo_sli_over_time(slo, inline, sel)]


@attr.s(frozen=True)
class RowPanel:
    """A row header; the panels below it up to the next row belong to it. With `repeat` (a
    template variable's name) Grafana draws the row and its panels once per selected value."""

    title: str = attr.ib()
    repeat: str | None = attr.ib(default=None)
    gridPos: g.GridPos | None = attr.ib(default=None)  # noqa: N815 - grafanalib's field name
    id: int | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        """Panel JSON of type row, open (its panels follow it on the grid, `panels` stays [])."""
        return {"type": "row", "title": self.title, "id": self.id, "gridPos": self.gridPos,
                "collapsed": False, "panels": [], "repeat": self.repeat}


def row(title: str, repeat: str | None = None) -> Sized:
    """A full-width row header, one grid unit high."""
    return Sized(RowPanel(title=title, repeat=repeat), 24, 1)


# --- other derived panels -----------------------------------------------------------------------


def latency_percentiles(histogram: str, selector: str,
                        recorded: Mapping[float, str] | None = None) -> Sized:
    """P50/P95/P99 of a histogram, from recorded quantiles when the spec records them."""
    queries = []
    for q in QUANTILES:
        legend = f"P{q * 100:g}"
        if recorded and q in recorded:
            queries.append((recorded[q], legend))
        else:
            rate = naming.window_suffix(LATENCY_RATE)
            queries.append((f"histogram_quantile({q:g}, sum by (le) "
                            f"(rate({histogram}_bucket{selector}[{rate}])))", legend))
    return Sized(timeseries(f"{histogram} percentiles", queries, (), "s"), 12, 8)


def health_checks(service: m.Service) -> Sized:
    """Last result of every health check: up, and seconds since the last success."""
    sel = _sel(service=service.name)
    queries = [(f"{naming.CHECK_UP}{sel}", "up"),
               (f"time() - {naming.CHECK_LAST_SUCCESS}{sel}", "seconds since success")]
    return Sized(table("Health checks", queries), 24, 8)


def alert_list(service: str | None) -> Sized:
    """Firing and pending alerts, of one service or of all."""
    label_filter = _sel(service=service) if service else ""
    return Sized(AlertListPanel(title="Active alerts", label_filter=label_filter), 12, 8)


def runbooks(service: m.Service) -> Sized | None:
    """Markdown list of the service's alerts with their runbook links."""
    rows = [(a.name, a.runbook) for a in service.alerts if a.runbook]
    rows += [(a.title, a.runbook) for a in service.grafana_alerts if a.runbook]
    # A burn-rate alert links where its runbook_url annotation points: the SLO's anchor in the
    # service runbook unless a level sets its own.
    for slo in service.slos:
        default = f"{service.runbook}#{slo.name}" if service.runbook else None
        for level in dict.fromkeys(w.level for w in slo.burn_windows):
            url = slo.level_alert_annotations(level).get("runbook_url") or default
            rows += [(slo.alert_name, url)] if url else []
    if not rows and not service.runbook:
        return None
    lines = [f"Service runbook: <{service.runbook}>", ""] if service.runbook else []
    lines += ["| Alert | Runbook |", "| --- | --- |"]
    lines += [f"| {name} | <{url}> |" for name, url in sorted(set(rows))]
    return Sized(text("Runbooks", "\n".join(lines) + "\n"), 12, 8)


def declared(panel: m.Panel, service: str) -> Sized:
    """A panel as the spec declares it; an alert list shows the service's alerts."""
    queries = [(q.expr, q.legend) for q in panel.queries]
    steps = [Step(t.color, t.value) for t in panel.thresholds]
    built: Any
    if panel.type is m.PanelType.STAT:
        built = stat(panel.title, queries, steps or [Step("green")], panel.unit or "none",
                     panel.description)
    elif panel.type is m.PanelType.GAUGE:
        built = gauge(panel.title, queries, steps, panel.unit or "none", panel.description)
    elif panel.type is m.PanelType.TABLE:
        built = table(panel.title, queries, panel.description)
    elif panel.type is m.PanelType.ALERTLIST:
        built = AlertListPanel(title=panel.title, label_filter=_sel(service=service))
    elif panel.type is m.PanelType.TEXT:
        built = text(panel.title, panel.text)
    else:
        built = timeseries(panel.title, queries, steps, panel.unit, panel.description)
    return Sized(built, panel.width, panel.height)
