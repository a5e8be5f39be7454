"""Grafana-managed alert and dashboard specs."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from generator.core.kinds import PanelType
from generator.specfile.models.base import AlertFields, Comparison, SpecModel
from generator.specfile.types import (
    AlertName,
    Duration,
    MetricName,
    PositiveDuration,
    PromQL,
    Uid,
)


class GrafanaAlertSpec(Comparison, AlertFields):
    """A Grafana-managed alert rule: query -> reduce -> threshold."""

    name: AlertName
    datasource: Uid = Field(description="Datasource uid declared in _global.yaml.")
    sql: str | None = None
    expr: PromQL | None = None
    reduce: Literal["last", "mean", "min", "max", "sum", "count"] = "last"
    range: PositiveDuration = Field(default="10m", validate_default=True)
    every: PositiveDuration = Field(default="1m", validate_default=True)
    for_: Duration = Field(default="5m", alias="for", validate_default=True)
    no_data: Literal["NoData", "Alerting", "OK"] = "NoData"
    exec_error: Literal["Error", "Alerting", "OK"] = "Error"
    folder: Uid | None = None
    group: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)

    @model_validator(mode="after")
    def _query(self) -> GrafanaAlertSpec:
        if (self.sql is None) == (self.expr is None):
            raise ValueError("give exactly one of sql or expr")
        return self


# --- Dashboard -----------------------------------------------------------------------------



class QuerySpec(SpecModel):
    """One panel query."""

    expr: PromQL
    legend: str = ""


class ThresholdSpec(SpecModel):
    """A colour step: from `value` upwards the panel shows `color`."""

    value: float | None = None
    color: str


class PanelSpec(SpecModel):
    """A dashboard panel declared by hand."""

    title: str = Field(min_length=1)
    type: PanelType = PanelType.TIMESERIES
    description: str = ""
    queries: list[QuerySpec] = Field(default_factory=list)
    unit: str = ""
    thresholds: list[ThresholdSpec] = Field(default_factory=list)
    text: str = ""
    width: int = Field(default=12, ge=1, le=24)
    height: int = Field(default=8, ge=1, le=50)


class DashboardSpec(SpecModel):
    """Dashboard hints: title, time range, refresh, and panels beside the derived ones."""

    title: str | None = None
    uid: Uid | None = None
    folder: Uid | None = None
    refresh: Duration = Field(default="1m", validate_default=True)
    time_range: PositiveDuration = Field(default="6h", validate_default=True)
    slo_panels: bool = Field(default=True, description="Add the derived per-SLO panels.")
    panels: list[PanelSpec] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    series: list[MetricName] = Field(
        default_factory=list,
        description="Raw metrics only the declared panels read: expected to exist, so "
                    "generate does not warn that no rule or spec defines them.")
