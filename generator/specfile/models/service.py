"""The service file: everything one service declares."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from generator.core.kinds import Severity
from generator.specfile.models.alerts import AlertSpec, RecordingSpec
from generator.specfile.models.base import RuleGroupName, SpecModel
from generator.specfile.models.checks import HealthCheckSpec
from generator.specfile.models.grafana import DashboardSpec, GrafanaAlertSpec
from generator.specfile.models.policies import PolicySpec
from generator.specfile.models.slos import SloSpec
from generator.specfile.types import (
    Identifier,
    LabelName,
    PositiveDuration,
    Uid,
    Url,
)


class ServiceRoutingSpec(SpecModel):
    """Per-service routing override: these receivers get the service's alerts."""

    receivers: dict[Severity, list[Identifier]] = Field(default_factory=dict)
    group_by: list[LabelName] | None = None
    continue_: bool = Field(default=False, alias="continue")

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)


class RuleGroupSpec(SpecModel):
    """Settings of a named Prometheus rule group."""

    interval: PositiveDuration | None = None


class ScrapeSpec(SpecModel):
    """Where Prometheus scrapes the service; written to out/prometheus/scrape/ for copying."""

    job: str | None = Field(
        default=None, pattern=r"^[a-zA-Z0-9_.:-]+$",
        description="job label of the scraped series (default: the service name); the one "
                    "the SLI selectors match, like {job=\"checkout\"}.")
    targets: list[str] = Field(min_length=1, description="host:port of each instance.")
    metrics_path: str = Field(default="/metrics", pattern=r"^/\S*$",
                              description="HTTP path of the metrics.")
    scheme: Literal["http", "https"] = Field(default="http", description="http or https.")
    interval: PositiveDuration | None = Field(
        default=None, description="Scrape interval (default: prometheus.scrape_interval).")

    @model_validator(mode="after")
    def _targets_are_host_port(self) -> ScrapeSpec:
        for target in self.targets:
            if not _HOST_PORT.fullmatch(target):
                raise ValueError(f"target {target!r} is not host:port (like 127.0.0.1:8080)")
        return self


_HOST_PORT = re.compile(r"(\[[0-9a-fA-F:]+\]|[^\s:/\[\]]+):\d+")


class ServiceSpec(SpecModel):
    """A service file: `slos/<service>.yaml`."""

    version: Literal["slogen/v1"]
    service: Identifier
    team: Identifier
    tier: int | None = Field(default=None, ge=0, le=5)
    description: str = ""
    runbook: Url | None = None
    labels: dict[LabelName, str] = Field(default_factory=dict)
    datasource: Uid | None = Field(
        default=None, description="Prometheus datasource uid for panels.")
    slos: list[SloSpec] = Field(default_factory=list)
    alerts: list[AlertSpec] = Field(default_factory=list)
    recording: list[RecordingSpec] = Field(default_factory=list)
    health_checks: list[HealthCheckSpec] = Field(default_factory=list)
    grafana_alerts: list[GrafanaAlertSpec] = Field(default_factory=list)
    rule_groups: dict[RuleGroupName, RuleGroupSpec] = Field(default_factory=dict)
    dashboard: DashboardSpec = Field(default_factory=DashboardSpec)
    routing: ServiceRoutingSpec | None = None
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target for every alert without its own.")
    policies: list[PolicySpec] = Field(default_factory=list)
    scrape: ScrapeSpec | None = None
