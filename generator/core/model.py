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
from typing import ClassVar

from generator.core.calendar import Calendar
from generator.core.errors import SpecError
from generator.core.kinds import DatasourceType, PanelType, RuleFormat, Severity
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

__all__ = [
    "AbsentAlert", "Alert", "AlertCommon", "AlertKind", "AnomalyAlert", "AnomalyRule",
    "BurnWindow", "Condition", "Dashboard", "Database", "Datasource", "DatasourceType",
    "ExporterSettings", "Folder", "GrafanaAlert", "GrafanaSettings", "HealthCheck",
    "HealthCheckAlert", "Inhibition", "Matcher", "Model", "MttdTarget", "Panel", "PanelType",
    "Policy", "PredictAlert", "PredictRule", "PrometheusSettings", "Receiver", "Recording",
    "RollbackTrigger", "Route", "RouteTree", "Routing", "RuleFormat", "Scrape", "Service",
    "ServiceRouting", "Severity", "Sli", "SliAbsentAlert", "SliKind", "Slo", "Source",
    "StaleAlert", "StaleRule",
    "ThresholdAlert", "Tier", "TieredAlert", "TimeInterval", "alert_condition", "alert_input",
    "alert_tiers",
]


@dataclass(frozen=True)
class Source:
    """Where a model object was declared, so later stages can point errors at the spec."""

    file: str
    path: str
    line: int | None = None
    column: int | None = None

    def prefix(self) -> str:
        """`file:line:column: path` for error messages."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.path}"


class Op(StrEnum):
    """Comparison operators a condition may use."""

    ABOVE = ">"
    BELOW = "<"
    EQUALS = "=="
    OUTSIDE = "outside"


@dataclass(frozen=True)
class MttdTarget:
    """A time-to-detect target and where it was declared."""

    within: timedelta
    source: Source


@dataclass(frozen=True)
class Condition:
    """`value op threshold`; OUTSIDE uses (low, high)."""

    op: Op
    threshold: float
    high: float | None = None


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


class AlertKind(StrEnum):
    """Kinds of non-SLO alerts."""

    THRESHOLD = "threshold"
    TIERED = "tiered"
    ABSENT = "absent"
    STALE = "stale"
    PREDICT = "predict"
    ANOMALY = "anomaly"
    HEALTH_CHECK = "health_check"


@dataclass(frozen=True)
class Tier:
    """One tier of a tiered alert."""

    severity: Severity
    condition: Condition
    for_: timedelta


@dataclass(frozen=True)
class StaleRule:
    """Fires when `time() - timestamp > after`."""

    timestamp: str
    after: timedelta


@dataclass(frozen=True)
class PredictRule:
    """Fires when `predict_linear(expr[lookback], within)` crosses the condition."""

    expr: str
    condition: Condition
    within: timedelta
    lookback: timedelta


@dataclass(frozen=True)
class AnomalyRule:
    """Fires when the z-score of `expr` over `baseline` exceeds `zscore` in `direction`."""

    expr: str
    zscore: float
    baseline: timedelta
    direction: str


@dataclass(frozen=True, kw_only=True)
class AlertCommon:
    """What every non-SLO alert has, whatever its kind."""

    kind: ClassVar[AlertKind]
    name: str
    service: str
    team: str
    severity: Severity
    for_: timedelta
    summary: str
    description: str
    runbook: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    source: Source
    group: str | None = None
    mttd: MttdTarget | None = None


@dataclass(frozen=True, kw_only=True)
class ThresholdAlert(AlertCommon):
    """Fires while `expr` meets `condition` (for every series `expr` returns when None)."""

    kind: ClassVar[AlertKind] = AlertKind.THRESHOLD
    expr: str
    condition: Condition | None


@dataclass(frozen=True, kw_only=True)
class TieredAlert(AlertCommon):
    """One expression, one rule per severity tier; the worst tier met wins."""

    kind: ClassVar[AlertKind] = AlertKind.TIERED
    expr: str
    tiers: tuple[Tier, ...]


@dataclass(frozen=True, kw_only=True)
class AbsentAlert(AlertCommon):
    """Fires while the `absent` expression returns nothing."""

    kind: ClassVar[AlertKind] = AlertKind.ABSENT
    absent: str


@dataclass(frozen=True, kw_only=True)
class StaleAlert(AlertCommon):
    """Fires when a timestamp series has not moved for too long."""

    kind: ClassVar[AlertKind] = AlertKind.STALE
    stale: StaleRule


@dataclass(frozen=True, kw_only=True)
class PredictAlert(AlertCommon):
    """Fires when a linear trend will cross a threshold."""

    kind: ClassVar[AlertKind] = AlertKind.PREDICT
    predict: PredictRule


@dataclass(frozen=True, kw_only=True)
class AnomalyAlert(AlertCommon):
    """Fires when a value strays from its own recent baseline."""

    kind: ClassVar[AlertKind] = AlertKind.ANOMALY
    anomaly: AnomalyRule


@dataclass(frozen=True, kw_only=True)
class HealthCheckAlert(AlertCommon):
    """The alert of a SQL health check, on the exporter's metric."""

    kind: ClassVar[AlertKind] = AlertKind.HEALTH_CHECK
    expr: str
    condition: Condition | None
    health_check: str


Alert = (ThresholdAlert | TieredAlert | AbsentAlert | StaleAlert | PredictAlert | AnomalyAlert
         | HealthCheckAlert)
"""A resolved non-SLO alert: one small type per kind, sharing the AlertCommon block."""


def alert_input(alert: Alert) -> str:
    """The PromQL an alert is about, as the spec wrote it."""
    match alert:
        case AbsentAlert():
            return alert.absent
        case StaleAlert():
            return alert.stale.timestamp
        case PredictAlert():
            return alert.predict.expr
        case AnomalyAlert():
            return alert.anomaly.expr
        case _:
            return alert.expr


def alert_tiers(alert: Alert) -> tuple[Tier, ...]:
    """The tiers of a tiered alert; empty for every other kind."""
    return alert.tiers if isinstance(alert, TieredAlert) else ()


def alert_condition(alert: Alert) -> Condition | None:
    """The condition of a threshold or health-check alert; None for every other kind."""
    return alert.condition if isinstance(alert, ThresholdAlert | HealthCheckAlert) else None


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


@dataclass(frozen=True)
class GrafanaAlert:
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
    severity: Severity
    summary: str
    description: str
    runbook: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    source: Source
    mttd: MttdTarget | None = None


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


# --- notification routing: built by core/routing.py, read by every target ---------------

Matcher = tuple[str, str, str]  # (label, "=" or "!=", value)


@dataclass(frozen=True)
class Route:
    """A first-level route: alerts matching every matcher go to each receiver, in order."""

    origin: str  # where it was declared, e.g. "slos/_global.yaml: routing.overrides[0]"
    matchers: tuple[tuple[str, str], ...]
    receivers: tuple[str, ...]
    continue_: bool
    group_by: tuple[str, ...] | None = None
    group_wait: timedelta | None = None
    group_interval: timedelta | None = None
    repeat_interval: timedelta | None = None
    active_during: str | None = None
    # Labels every alert that can reach this route also carries (a service's team), used to
    # tell whether an earlier route swallows all of its alerts.
    implied: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RouteTree:
    """The whole tree: defaults at the root and first-level routes in matching order."""

    receiver: str
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    routes: tuple[Route, ...]
    time_intervals: Mapping[str, tuple[TimeInterval, ...]]


@dataclass(frozen=True)
class Inhibition:
    """Alerts matching `target` are not sent while one matching `source` fires."""

    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


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
