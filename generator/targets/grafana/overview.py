"""The overview dashboard: every SLO of every service on one page, filtered by service."""

from __future__ import annotations

from datetime import timedelta

from grafanalib import core as g

from generator.core import model as m
from generator.core import naming
from generator.core.windows import window_ratio
from generator.targets.grafana import panels as p
from generator.targets.grafana.board import (
    dashboard,
    datasource_variable,
    query_variable,
    slogen_links,
)

OVERVIEW_UID = naming.grafana_uid("slogen", "overview")
OVERVIEW_TITLE = "Service levels overview"
SERVICE_FILTER = '{service=~"$service"}'
# Only the metadata series carry the service label; the others are joined to them by slo_id.
IN_SERVICE = f" and on ({naming.LABEL_SLO_ID}) {naming.SLO_OBJECTIVE}{SERVICE_FILTER}"


def _either(exprs: list[str]) -> str:
    """One query over SLOs with different windows: each window's series exists for its SLOs only."""
    return " or ".join(f"({e})" for e in exprs) if len(exprs) > 1 else exprs[0]


def _windows(model: m.Model) -> list[timedelta]:
    return sorted({slo.window for s in model.services for slo in s.slos})


def _page_windows(model: m.Model) -> list[timedelta]:
    return sorted({bw.long for s in model.services for slo in s.slos for bw in slo.burn_windows
                   if bw.level == "page"})


def slo_table(model: m.Model) -> p.Sized:
    """One row per SLO: objective, SLI over its window and budget left."""
    if model.prometheus.windows == "inline":
        # No ratio series (budget remaining is 1 - ratio / budget): one query for every window.
        sli = (f"1 - (1 - {naming.SLO_BUDGET_REMAINING}) * on ({naming.LABEL_SLO_ID}) "
               f"group_left() (1 - {naming.SLO_OBJECTIVE}{SERVICE_FILTER})")
    else:
        sli = _either([f"(1 - {naming.error_ratio_record(w)}){IN_SERVICE}"
                       for w in _windows(model)])
    queries = [(f"{naming.SLO_OBJECTIVE}{SERVICE_FILTER}", "objective"), (sli, "SLI"),
               (f"{naming.SLO_BUDGET_REMAINING}{IN_SERVICE}", "budget remaining")]
    return p.Sized(p.table("Service level objectives", queries), 24, 9)


def budget_over_time() -> p.Sized:
    """Error budget left per SLO over time."""
    expr = f"{naming.SLO_BUDGET_REMAINING}{IN_SERVICE}"
    return p.Sized(p.timeseries("Error budget remaining", [(expr, "{{slo_id}}")],
                                [p.Step("red"), p.Step("yellow", 0.0), p.Step("green", 0.25)],
                                "percentunit"), 12, 8)


def page_burn_rates(model: m.Model) -> p.Sized:
    """Burn rate over the long page windows, the ones that page first; computed from the
    recorded 5m rates when the rules do not record those windows (prometheus.windows: inline)."""
    budget = f"(1 - {naming.SLO_OBJECTIVE}{SERVICE_FILTER})"
    windows = _page_windows(model)
    recorded = () if model.prometheus.windows == "inline" else windows
    step = model.prometheus.evaluation_interval
    queries = [(f"{window_ratio(w, '', recorded, step)} / on ({naming.LABEL_SLO_ID}) "
                f"group_left() {budget}",
                f"{{{{slo_id}}}} ({naming.window_suffix(w)})") for w in windows]
    return p.Sized(p.timeseries("Burn rate (page windows)", queries, (), "none"), 12, 8)


def service_index(model: m.Model) -> p.Sized:
    """Markdown table of services with team, SLO count and a link to their dashboard."""
    lines = ["| Service | Team | SLOs | Dashboard |", "| --- | --- | --- | --- |"]
    lines += [f"| {s.name} | {s.team} | {len(s.slos)} | "
              f"[{s.dashboard.title}](/d/{s.dashboard.uid}) |" for s in model.services]
    return p.Sized(p.text("Services", "\n".join(lines) + "\n"), 12, 8)


def overview_dashboard(model: m.Model) -> g.Dashboard:
    """The cross-service dashboard; SLO panels only when some service declares SLOs."""
    panels = []
    if _windows(model):
        panels += [slo_table(model), budget_over_time()]
        if _page_windows(model):
            panels.append(page_burn_rates(model))
    panels += [service_index(model), p.alert_list(None)]
    variables = [datasource_variable(model.grafana.default_datasource),
                 query_variable("service", f"label_values({naming.SLO_OBJECTIVE}, service)",
                                "Service")]
    return dashboard(OVERVIEW_UID, OVERVIEW_TITLE, panels, variables, None, ["overview"],
                     slogen_links(None), "Every SLO declared in slos/, across services.")
