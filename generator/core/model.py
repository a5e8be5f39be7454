"""The resolved model every target reads: defaults filled, ids derived, windows expanded.

Built from specs by `specfile/build.py`. Frozen dataclasses; change one with `dataclasses.replace`.
Settings (receivers, routing, datasources, panels) are core/settings.py types, re-exported here
so targets import from one place; nothing here knows the file format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from generator.core.alerts import (
    AbsentAlert,
    Alert,
    AlertCommon,
    AlertKind,
    AlertTexts,
    AnomalyAlert,
    AnomalyRule,
    HealthCheckAlert,
    PredictAlert,
    PredictRule,
    StaleAlert,
    StaleRule,
    ThresholdAlert,
    Tier,
    TieredAlert,
    alert_condition,
    alert_input,
    alert_tiers,
)
from generator.core.calendar import Calendar
from generator.core.errors import SpecError
from generator.core.kinds import DatasourceType, PanelType, RuleFormat, Severity
from generator.core.routes import Inhibition, Matcher, Route, RouteTree
from generator.core.settings import (
    Database,
    Datasource,
    ExporterSettings,
    Folder,
    Panel,
    PrometheusSettings,
    Receiver,
    Routing,
    ServiceRouting,
    TimeInterval,
)
from generator.core.values import Condition, MttdTarget, Op, Source

__all__ = [
    "AbsentAlert", "Alert", "AlertCommon", "AlertKind", "AlertTexts", "AnomalyAlert", "AnomalyRule",
    "BurnWindow", "Condition", "Dashboard", "Database", "Datasource", "DatasourceType",
    "ExporterSettings", "Folder", "GrafanaAlert", "GrafanaSettings", "HealthCheck",
    "HealthCheckAlert", "Inhibition", "Matcher", "Model", "MttdTarget", "Op", "Panel", "PanelType",
    "Policy", "PredictAlert", "PredictRule", "PrometheusSettings", "Receiver", "Recording",
    "RollbackTrigger", "Route", "RouteTree", "Routing", "RuleFormat", "Scrape", "Service",
    "ServiceRouting", "Severity", "Sli", "SliAbsentAlert", "SliKind", "Slo", "Source",
    "StaleAlert", "StaleRule",
    "ThresholdAlert", "Tier", "TieredAlert", "TimeInterval", "alert_condition", "alert_input",
    "alert_tiers",
]


class SliKind(StrEnum):
    """The kinds of service level indicators."""

    EVENTS = "events"
    LATENCY = "latency"
    AVAILABILITY = "availability"
    RAW = "raw"
    TIMESLICES = "timeslices"
    THRESHOLD = "threshold"


WINDOW_PLACEHOLDER = "{{window}}"


@dataclass(frozen=True)
class Sli:
    """An SLI as two PromQL templates over `{{window}}`: bad events and all events, per second
    or per sample. The error ratio over a window is errors/total."""

    kind: SliKind
    errors_query: str
    total_query: str
    metrics: tuple[str, ...] = ()

    def errors(self, window: str) -> str:
        """Bad-event query over `window` (a Prometheus duration)."""
        return self.errors_query.replace(WINDOW_PLACEHOLDER, window)

    def total(self, window: str) -> str:
        """All-event query over `window`."""
        return self.total_query.replace(WINDOW_PLACEHOLDER, window)


@dataclass(frozen=True)
class BurnWindow:
    """One multiwindow burn-rate condition: fires when both windows burn faster than `factor`."""

    level: str  # "page" or "ticket"
    long: timedelta
    short: timedelta
    factor: float
    severity: Severity
    for_: timedelta = timedelta(0)
    mttd: MttdTarget | None = None
    # How long the level's alert keeps firing after its condition last held.
    keep_firing_for: timedelta = timedelta(0)
    # The short window, when longer than 5m, reads the median of its 5m rates (and a page
    # pair's long window must have burned the budget over half its span): see
    # core/windows.sustained_ratio.
    sustained: bool = False


@dataclass(frozen=True)
class SliAbsentAlert:
    """The alert on an SLO whose SLI series are missing."""

    name: str
    for_: timedelta
    severity: Severity


@dataclass(frozen=True)
class Slo:
    """A resolved SLO."""

    id: str
    service: str
    name: str
    description: str
    objective: float  # percent, e.g. 99.9
    window: timedelta
    sli: Sli
    burn_windows: tuple[BurnWindow, ...]
    alert_name: str
    labels: Mapping[str, str]
    alert_labels: Mapping[str, str]
    annotations: Mapping[str, str]
    source: Source
    # alerting.page / alerting.ticket labels and annotations, by level.
    level_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # How often the SLO's 5m rates are recorded: the spacing the window averages count on;
    # None for SLIs whose 5m values are averaged sample by sample (raw ratios, time slices).
    step: timedelta | None = timedelta(seconds=30)
    level_annotations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Set when the budget resets at calendar boundaries (see core/calendar.py).
    calendar: Calendar | None = None
    absent: SliAbsentAlert | None = None

    def level_alert_labels(self, level: str) -> dict[str, str]:
        """The labels of one level's burn-rate alert: the SLO's alert labels, then the level's."""
        return {**self.alert_labels, **self.level_labels.get(level, {})}

    def level_alert_annotations(self, level: str) -> dict[str, str]:
        """The annotations of one level's burn-rate alert: the SLO's, then the level's."""
        return {**self.annotations, **self.level_annotations.get(level, {})}

    @property
    def target(self) -> float:
        """Objective as a ratio, e.g. 0.999."""
        return self.objective / 100.0

    @property
    def error_budget(self) -> float:
        """Allowed error ratio, e.g. 0.001."""
        return 1.0 - self.objective / 100.0


@dataclass(frozen=True)
class Recording:
    """A recording rule with its final name."""

    record: str
    expr: str
    labels: Mapping[str, str]
    source: Source
    group: str | None = None


@dataclass(frozen=True)
class HealthCheck:
    """A SQL health check run by the exporter."""

    id: str  # "<service>-<name>"
    service: str
    name: str
    description: str
    database: str
    sql: str
    every: timedelta
    timeout: timedelta
    values: tuple[str, ...]
    labels: tuple[str, ...]
    compare_sql: str | None
    compare_database: str | None
    tolerance: float
    alert: Condition | None
    alert_severity: Severity
    alert_for: timedelta
    source: Source
    alert_mttd: MttdTarget | None = None


@dataclass(frozen=True, kw_only=True)
class GrafanaAlert(AlertTexts):
    """A Grafana-managed alert rule: query (A) -> reduce (B) -> threshold (C)."""

    uid: str
    title: str
    service: str
    team: str
    folder_uid: str
    group: str
    datasource_uid: str
    datasource_type: DatasourceType
    sql: str | None
    expr: str | None
    reduce: str
    condition: Condition
    range: timedelta
    every: timedelta
    for_: timedelta
    no_data: str
    exec_error: str


@dataclass(frozen=True)
class Dashboard:
    """A service dashboard's settings."""

    uid: str
    title: str
    folder_uid: str | None
    refresh: timedelta
    time_range: timedelta
    slo_panels: bool
    panels: tuple[Panel, ...]
    tags: tuple[str, ...]
    datasource_uid: str
    series: tuple[str, ...] = ()  # raw metrics the declared panels read, declared as expected
    link: str = ""  # what alerts link to: /d/<uid>, or absolute with grafana.url


@dataclass(frozen=True)
class RollbackTrigger:
    """A post-deploy condition: `expr` meeting `condition` for `for_` recommends rollback."""

    name: str
    description: str
    expr: str
    condition: Condition
    for_: timedelta
    source: Source


@dataclass(frozen=True)
class Policy:
    """An error-budget policy of one service, evaluated by `slogen gate`."""

    name: str
    description: str
    slos: tuple[str, ...]  # SLO ids the policy reads
    budget_remaining_below: float | None  # percent
    page_burn: bool
    watch: timedelta
    deployed_at: str | None
    triggers: tuple[RollbackTrigger, ...]
    source: Source


@dataclass(frozen=True)
class Scrape:
    """Where Prometheus scrapes a service (the specs' `scrape:`), job name resolved."""

    job: str
    targets: tuple[str, ...]
    metrics_path: str
    scheme: str
    interval: timedelta | None
    source: Source  # of scrape.job when set, else of scrape


@dataclass(frozen=True)
class Service:
    """Everything declared in one service file, resolved."""

    name: str
    team: str
    tier: int | None
    description: str
    runbook: str | None
    labels: Mapping[str, str]
    source_file: str
    slos: tuple[Slo, ...]
    alerts: tuple[Alert, ...]
    recordings: tuple[Recording, ...]
    health_checks: tuple[HealthCheck, ...]
    grafana_alerts: tuple[GrafanaAlert, ...]
    dashboard: Dashboard
    routing: ServiceRouting | None
    rule_group_intervals: Mapping[str, timedelta] = field(default_factory=dict)
    mttd: MttdTarget | None = None
    policies: tuple[Policy, ...] = ()
    scrape: Scrape | None = None


@dataclass(frozen=True)
class GrafanaSettings:
    """Grafana objects shared by all services."""

    folders: tuple[Folder, ...]
    datasources: tuple[Datasource, ...]
    dashboard_folder: str | None
    alert_folder: str | None
    disable_provenance: bool
    default_datasource: str
    url: str | None = None  # grafana.url: base of absolute dashboard links


@dataclass(frozen=True)
class PreviousGeneration:
    """What the previous generation (the committed out/) provisioned from files, by uid.

    Grafana's file provisioner only adds and updates: an object the specs no longer declare
    stays until a file names it under deleteRules / deleteContactPoints. The targets write those
    entries for uids found here and no longer generated.
    """

    rule_uids: frozenset[str] = frozenset()
    contact_point_uids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Model:
    """The whole resolved set of specs: the single input of every target."""

    services: tuple[Service, ...]
    receivers: tuple[Receiver, ...]
    routing: Routing | None
    grafana: GrafanaSettings
    databases: Mapping[str, Database]
    prometheus: PrometheusSettings
    exporter: ExporterSettings
    global_file: str
    # The shared Alertmanager/Grafana route tree, built once (time-to-notify checks ask for it
    # once per alert; rebuilding it each time made building the model quadratic in services).
    route_tree: RouteTree | None
    expressions: tuple[tuple[Source, str], ...] = field(default=())
    # Declared-but-unused global entries: printed, never fatal.
    warnings: tuple[SpecError, ...] = field(default=())
    # Read from out/ by `generate`, empty otherwise: see PreviousGeneration.
    previous: PreviousGeneration = field(default_factory=PreviousGeneration)

    def service(self, name: str) -> Service:
        """The service called `name`."""
        return next(s for s in self.services if s.name == name)
