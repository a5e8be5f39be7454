"""Spec models: pydantic mirrors of the slogen/v1 file format (one service file, one global file).

These describe what users write. `build.py` turns them into the resolved model that targets read,
so a change of file format never reaches the targets.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from generator.specfile.field_help import add_descriptions
from generator.specfile.types import (
    AlertName,
    Duration,
    Identifier,
    LabelName,
    MetricName,
    Objective,
    PositiveDuration,
    PromQL,
    Quantile,
    Uid,
    Url,
    WindowQuery,
)

SPEC_VERSION = "slogen/v1"

RuleGroupName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_-]*$", max_length=100)]


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors and parsed specs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=add_descriptions)


class Severity(StrEnum):
    """Alert severities; routing and inhibition are derived from these."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class Comparison(SpecModel):
    """A condition on a value: exactly one of above, below, outside or equals."""

    above: float | None = None
    below: float | None = None
    outside: tuple[float, float] | None = Field(
        default=None, description="Fires when the value is below the first or above the second."
    )
    equals: float | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Comparison:
        given = [k for k in ("above", "below", "outside", "equals") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of above, below, outside or equals"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.outside is not None and self.outside[0] >= self.outside[1]:
            raise ValueError(
                f"outside needs [low, high] with low < high (got {list(self.outside)})")
        return self


# --- SLOs ---------------------------------------------------------------------------------


class EventsSli(SpecModel):
    """Ratio of events: `good` or `bad` over `total`, each a PromQL template with `{{window}}`."""

    good: WindowQuery | None = None
    bad: WindowQuery | None = None
    total: WindowQuery

    @model_validator(mode="after")
    def _good_or_bad(self) -> EventsSli:
        if (self.good is None) == (self.bad is None):
            raise ValueError("give exactly one of good or bad, beside total")
        return self


class LatencySli(SpecModel):
    """Share of requests faster than a threshold, read from a Prometheus histogram."""

    histogram: MetricName = Field(description="Histogram base name, without `_bucket`.")
    selector: str = Field(default="", description='Label matchers, like `{job="checkout"}`.')
    below: PositiveDuration = Field(description="Latency threshold; must be one of the buckets.")
    le: str | None = Field(
        default=None, description="The bucket's `le` label exactly as exported; by default "
        "every spelling of `below` in seconds matches (`1`, `1.0`, `1e+00`)."
    )


class AvailabilitySli(SpecModel):
    """Share of time a target is up, from Prometheus's `up` series."""

    selector: str = Field(description='Label matchers for `up`, like `{job="checkout"}`.')


class RawSli(SpecModel):
    """A precomputed error ratio (0 to 1), as Sloth's `raw` SLI: one PromQL template.

    It carries no event counts, so windows longer than 5m are the time average of the recorded
    5m ratios: a quiet hour weighs as much as a busy one (events SLIs weight by traffic)."""

    error_ratio: WindowQuery


class SliSpec(SpecModel):
    """Exactly one kind of service level indicator."""

    events: EventsSli | None = None
    latency: LatencySli | None = None
    availability: AvailabilitySli | None = None
    raw: RawSli | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SliSpec:
        kinds = ("events", "latency", "availability", "raw")
        given = [k for k in kinds if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of events, latency, availability or raw")
        return self


class BurnWindowSpec(SpecModel):
    """One multiwindow burn-rate condition: long and short window, budget share or factor."""

    long: PositiveDuration
    short: PositiveDuration
    budget_percent: float | None = Field(
        default=None, gt=0, le=100, description="Share of the budget spent in `long` that alerts."
    )
    burn_rate: float | None = Field(default=None, gt=0, description="Burn-rate factor, if fixed.")

    @model_validator(mode="after")
    def _check(self) -> BurnWindowSpec:
        if (self.budget_percent is None) == (self.burn_rate is None):
            raise ValueError("give exactly one of budget_percent or burn_rate")
        if self.short >= self.long:
            raise ValueError("short window must be shorter than the long window")
        return self


class BurnAlertSpec(SpecModel):
    """A burn-rate alert level (page or ticket)."""

    enabled: bool = True
    severity: Severity | None = None
    windows: list[BurnWindowSpec] | None = Field(
        default=None, description="Override the Google SRE workbook windows."
    )
    for_: Duration | None = Field(default=None, alias="for")
    labels: dict[LabelName, str] = Field(
        default_factory=dict, description="Labels of this level's alert only (e.g. a routing key); "
        "they win over alerting.labels.")
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Annotations of this level's alert only; they win over "
        "alerting.annotations.")
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target: worst-case time to notify must fit.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SloAlertingSpec(SpecModel):
    """Burn-rate alerting options of one SLO."""

    name: AlertName | None = Field(default=None, description="Alert name; derived if omitted.")
    page: BurnAlertSpec = Field(default_factory=BurnAlertSpec)
    ticket: BurnAlertSpec = Field(default_factory=BurnAlertSpec)
    labels: dict[LabelName, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


class TimeslicesSpec(SpecModel):
    """Budget counted in time slices (OpenSLO Timeslices): the objective is the share of good
    slices, a slice being good when its own good ratio reaches `slice_objective`. Without
    `slice_objective`, the SLI is the mean of the slices' ratios (OpenSLO RatioTimeslices).
    Slices are aligned to multiples of `slice` since the Unix epoch, as Prometheus subqueries
    are; a slice without traffic counts as good (and is left out of a mean ratio). Rates over
    one slice need two samples in it: scrape at least twice per slice."""

    slice: PositiveDuration = Field(default="1m", validate_default=True)
    slice_objective: Objective | None = None

    @model_validator(mode="after")
    def _divides_base(self) -> TimeslicesSpec:
        base = 300_000
        millis = round(self.slice.total_seconds() * 1000)
        if millis > base or base % millis:
            raise ValueError("slice must divide 5m evenly, like 30s, 1m or 5m: slogen records "
                             "each 5m of slices and builds every longer window from those")
        return self


class SloSpec(SpecModel):
    """One service level objective."""

    name: Identifier
    description: str = ""
    objective: Objective
    window: PositiveDuration = Field(default="30d", validate_default=True)
    sli: SliSpec
    timeslices: TimeslicesSpec | None = None
    alerting: SloAlertingSpec = Field(default_factory=SloAlertingSpec)
    labels: dict[LabelName, str] = Field(default_factory=dict)


# --- Alerts -------------------------------------------------------------------------------


class TierSpec(SpecModel):
    """One tier of a multi-tier threshold alert."""

    above: float | None = None
    below: float | None = None
    for_: Duration | None = Field(default=None, alias="for")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one(self) -> TierSpec:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above or below")
        return self


class StaleSpec(SpecModel):
    """Staleness: a timestamp metric older than `after` fires."""

    timestamp: PromQL = Field(description="A metric holding a Unix time, like last_success_time.")
    after: PositiveDuration


class PredictSpec(SpecModel):
    """Trend: `predict_linear` of `expr` crosses the threshold within `within`."""

    expr: PromQL
    above: float | None = None
    below: float | None = None
    within: PositiveDuration
    lookback: PositiveDuration = Field(default="1h", validate_default=True)

    @model_validator(mode="after")
    def _one(self) -> PredictSpec:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above or below")
        return self


class AnomalySpec(SpecModel):
    """Anomaly: the z-score of `expr` against a baseline window exceeds `zscore`."""

    expr: PromQL
    zscore: float = Field(default=3.0, gt=0)
    baseline: PositiveDuration = Field(default="1d", validate_default=True)
    direction: Literal["above", "below", "both"] = "both"


class AlertSpec(SpecModel):
    """One alert. Its kind is the key that is present: expr (with above/below/tiers),
    absent, stale, predict or anomaly."""

    name: AlertName
    expr: PromQL | None = None
    above: float | None = None
    below: float | None = None
    equals: float | None = None
    tiers: dict[Severity, TierSpec] | None = None
    absent: PromQL | None = Field(default=None, description="Selector that must have data.")
    stale: StaleSpec | None = None
    predict: PredictSpec | None = None
    anomaly: AnomalySpec | None = None
    for_: Duration = Field(default="0s", alias="for", validate_default=True)
    severity: Severity = Severity.WARNING
    group: RuleGroupName | None = Field(
        default=None, description="Rule group; default: the service.")
    summary: str | None = None
    description: str | None = None
    runbook: Url | None = None
    labels: dict[LabelName, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target: worst-case time to notify must fit.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_kind(self) -> AlertSpec:
        kinds = [k for k in ("expr", "absent", "stale", "predict", "anomaly") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(
                "give exactly one of expr, absent, stale, predict or anomaly"
                + (f" (got {', '.join(kinds)})" if kinds else "")
            )
        conditions = [k for k in ("above", "below", "equals", "tiers")
                      if getattr(self, k) is not None]
        if kinds[0] == "expr":
            if len(conditions) > 1:
                raise ValueError(
                    f"give one of above, below, equals or tiers (got {', '.join(conditions)})")
        elif conditions:
            raise ValueError(
                f"{conditions[0]} only goes with expr; {kinds[0]} has its own condition")
        if self.tiers is not None and len(self.tiers) < 1:
            raise ValueError("tiers needs at least one severity")
        return self


class RecordingSpec(SpecModel):
    """A user-named recording rule, or histogram quantiles recorded under derived names."""

    record: MetricName | None = None
    expr: PromQL | None = None
    histogram: MetricName | None = Field(default=None, description="Histogram base name.")
    selector: str = ""
    quantiles: list[Quantile] = Field(default_factory=lambda: [0.5, 0.95, 0.99])
    rate: PositiveDuration = Field(default="5m", validate_default=True)
    by: list[LabelName] = Field(default_factory=list)
    group: RuleGroupName | None = Field(
        default=None, description="Rule group; default: the service.")
    labels: dict[LabelName, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _kind(self) -> RecordingSpec:
        if self.histogram is None:
            if self.record is None or self.expr is None:
                raise ValueError("give record and expr, or histogram for quantile rules")
        elif self.expr is not None:
            raise ValueError("histogram derives its own expressions; drop expr")
        return self


# --- Health checks ------------------------------------------------------------------------


class CompareSpec(SpecModel):
    """Compare the check's value with a second query; the difference is what alerts."""

    sql: str = Field(min_length=1)
    database: Identifier | None = Field(
        default=None, description="Defaults to the check's database.")
    tolerance: float = Field(default=0.0, ge=0, description="Allowed absolute difference.")


class HealthAlertSpec(Comparison):
    """Alert when the check's value meets this condition."""

    severity: Severity = Severity.WARNING
    for_: Duration = Field(default="0s", alias="for", validate_default=True)
    summary: str | None = None
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target: worst-case time to notify must fit.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class HealthCheckSpec(SpecModel):
    """A SQL health check, run by the exporter and turned into metrics (and an alert)."""

    name: Identifier
    description: str = ""
    database: Identifier
    sql: str = Field(min_length=1)
    every: PositiveDuration = Field(default="1m", validate_default=True)
    timeout: PositiveDuration = Field(default="10s", validate_default=True)
    values: list[LabelName] = Field(
        default_factory=lambda: ["value"], description="Columns that become metric values."
    )
    labels: list[LabelName] = Field(
        default_factory=list, description="Columns that become labels; other columns are an error."
    )
    compare: CompareSpec | None = None
    alert: HealthAlertSpec | None = None


# --- Grafana-managed alerts ----------------------------------------------------------------


class GrafanaAlertSpec(Comparison):
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
    severity: Severity = Severity.WARNING
    folder: Uid | None = None
    group: str | None = None
    summary: str | None = None
    description: str | None = None
    labels: dict[LabelName, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target: worst-case time to notify must fit.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _query(self) -> GrafanaAlertSpec:
        if (self.sql is None) == (self.expr is None):
            raise ValueError("give exactly one of sql or expr")
        return self


# --- Dashboard -----------------------------------------------------------------------------


class PanelType(StrEnum):
    """Panel kinds a spec may declare."""

    STAT = "stat"
    TIMESERIES = "timeseries"
    GAUGE = "gauge"
    TABLE = "table"
    ALERTLIST = "alertlist"
    TEXT = "text"


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


# --- Error-budget policies (`slogen gate`) -------------------------------------------------


class BlockWhenSpec(SpecModel):
    """When to hold deploys: too little budget left, or a page-level burn under way."""

    budget_remaining_below: float | None = Field(
        default=None, ge=0, le=100,
        description="Hold when an SLO has less than this % of budget left.")
    page_burn: bool = Field(default=False, description="Hold while a page-level burn rate holds.")


class RollbackTriggerSpec(SpecModel):
    """After a deploy: recommend rollback when `expr` crosses the threshold for `for`."""

    name: Identifier
    description: str = ""
    expr: PromQL
    above: float | None = None
    below: float | None = None
    for_: Duration = Field(default="0s", alias="for", validate_default=True)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one(self) -> RollbackTriggerSpec:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of above or below")
        return self


class RollbackSpec(SpecModel):
    """Post-deploy rollback triggers, watched for `watch` after each deploy."""

    watch: PositiveDuration = Field(default="48h", validate_default=True)
    deployed_at: PromQL | None = Field(
        default=None, description="PromQL giving the Unix time of the last deploy.")
    triggers: list[RollbackTriggerSpec] = Field(min_length=1)


class PolicySpec(SpecModel):
    """An error-budget policy evaluated by `slogen gate` against live data."""

    name: Identifier
    description: str = ""
    slos: list[Identifier] | None = Field(
        default=None, description="SLOs the policy reads; default: all of the service.")
    block_when: BlockWhenSpec = Field(default_factory=BlockWhenSpec)
    rollback: RollbackSpec | None = None


# --- Service file --------------------------------------------------------------------------


class ServiceRoutingSpec(SpecModel):
    """Per-service routing override: these receivers get the service's alerts."""

    receivers: dict[Severity, list[Identifier]] = Field(default_factory=dict)
    group_by: list[LabelName] | None = None
    continue_: bool = Field(default=False, alias="continue")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


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


# --- Global file ---------------------------------------------------------------------------


class SlackReceiverSpec(SpecModel):
    """Slack: the webhook URL is read by Alertmanager from a file, never written to out/."""

    channel: str = Field(pattern=r"^[#@]?[\w.-]+$")
    api_url_file: str = Field(min_length=1)
    title: str | None = None
    text: str | None = None


class PagerDutyReceiverSpec(SpecModel):
    """PagerDuty Events API v2; the routing key comes from a file."""

    routing_key_file: str = Field(min_length=1)
    severity: str | None = None


class EmailReceiverSpec(SpecModel):
    """Email over SMTP; the password comes from a file."""

    to: str = Field(min_length=3)
    from_: str = Field(alias="from", min_length=3)
    smarthost: str = Field(pattern=r"^[^\s:]+:\d+$")
    auth_username: str | None = None
    auth_password_file: str | None = None
    require_tls: bool = True

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class WebhookReceiverSpec(SpecModel):
    """Generic webhook (also the GitHub-issue bridge).

    Alertmanager 0.25 cannot read a webhook URL from a file, so the URL is written out and must
    hold no secret; a token goes in `credentials_file`, sent as `Authorization: Bearer <token>`.
    """

    url: Url
    credentials_file: str | None = Field(
        default=None, min_length=1, description="File holding a bearer token for the webhook."
    )
    max_alerts: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _no_secret_in_url(self) -> WebhookReceiverSpec:
        if re.match(r"^https?://[^/?#]*@", self.url):
            raise ValueError("the url must not carry credentials; put a token in credentials_file")
        return self


class ReceiverSpec(SpecModel):
    """A notification receiver: a name and exactly one integration."""

    name: Identifier
    slack: SlackReceiverSpec | None = None
    pagerduty: PagerDutyReceiverSpec | None = None
    email: EmailReceiverSpec | None = None
    webhook: WebhookReceiverSpec | None = None
    send_resolved: bool = True

    @model_validator(mode="after")
    def _one(self) -> ReceiverSpec:
        kinds = [k for k in ("slack", "pagerduty", "email", "webhook") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("give exactly one of slack, pagerduty, email or webhook")
        return self


_DAY = "(sunday|monday|tuesday|wednesday|thursday|friday|saturday)"


def _weekday_range(value: str) -> str:
    if not re.fullmatch(f"{_DAY}(:{_DAY})?", value):
        raise ValueError(f"{value!r} is not a weekday or a range like monday:friday")
    return value


WeekdayRange = Annotated[str, AfterValidator(_weekday_range)]


class TimeRangeSpec(SpecModel):
    """A daily time range, `HH:MM` to `HH:MM` (end may be `24:00`)."""

    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    end: str = Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")

    @model_validator(mode="after")
    def _ordered(self) -> TimeRangeSpec:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self


class TimeIntervalSpec(SpecModel):
    """A named time interval (weekdays and hours), e.g. working hours."""

    weekdays: list[WeekdayRange] = Field(
        default_factory=list, description="Days or ranges such as monday:friday; empty = every day."
    )
    times: list[TimeRangeSpec] = Field(default_factory=list)
    location: str = "UTC"


class SeverityRouteSpec(SpecModel):
    """Where one severity goes."""

    receivers: list[Identifier] = Field(min_length=1)
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    active_during: Identifier | None = Field(
        default=None, description="Only notify inside this time interval (mute outside it)."
    )


class RouteOverrideSpec(SpecModel):
    """Alerts matching these labels go to these receivers (before severity routing)."""

    match: dict[LabelName, str] = Field(min_length=1)
    receivers: list[Identifier] = Field(min_length=1)
    continue_: bool = Field(default=False, alias="continue")
    group_by: list[LabelName] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = Field(
        default=None, description="Resend window: the same open alert is not repeated sooner."
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RoutingSpec(SpecModel):
    """The Alertmanager route tree, as severities and overrides."""

    receiver: Identifier = Field(description="Default receiver for anything unmatched.")
    group_by: list[LabelName] = Field(default_factory=lambda: ["alertname", "service"])
    group_wait: Duration = Field(default="30s", validate_default=True)
    group_interval: Duration = Field(default="5m", validate_default=True)
    repeat_interval: Duration = Field(default="4h", validate_default=True)
    severities: dict[Severity, SeverityRouteSpec] = Field(default_factory=dict)
    overrides: list[RouteOverrideSpec] = Field(default_factory=list)
    time_intervals: dict[Identifier, list[TimeIntervalSpec]] = Field(default_factory=dict)
    inhibit_warning_by_critical: bool = True
    inhibit_symptoms_when_down: bool = True

    @model_validator(mode="after")
    def _one_location(self) -> RoutingSpec:
        # Grafana needs the complement of an interval (a mute timing), which only exists
        # when all of its parts are in one time zone.
        for name, parts in self.time_intervals.items():
            locations = sorted({p.location for p in parts})
            if len(locations) > 1:
                raise ValueError(f"time interval {name!r} mixes locations {', '.join(locations)}")
        return self


class DatasourceType(StrEnum):
    """Grafana datasource types slogen provisions."""

    PROMETHEUS = "prometheus"
    POSTGRES = "postgres"
    MYSQL = "mysql"


class DatasourceSpec(SpecModel):
    """A Grafana datasource with a stable uid; secrets come from the environment at apply time."""

    uid: Uid
    name: str = Field(min_length=1)
    type: DatasourceType
    url: str = Field(min_length=1)
    database: str | None = None
    user: str | None = None
    password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    default: bool = False


class FolderSpec(SpecModel):
    """A Grafana folder."""

    uid: Uid
    title: str = Field(min_length=1)


class GrafanaSpec(SpecModel):
    """Grafana objects shared by all services."""

    folders: list[FolderSpec] = Field(default_factory=list)
    datasources: list[DatasourceSpec] = Field(default_factory=list)
    dashboard_folder: Uid | None = None
    alert_folder: Uid | None = None
    disable_provenance: bool = Field(
        default=False, description="Keep API-provisioned alert rules editable in the Grafana UI."
    )


class DatabaseSpec(SpecModel):
    """A database the exporter connects to. `url` may be `${ENV_VAR}`; secrets never in specs."""

    url: str = Field(min_length=1, description=(
        "Database URL: postgresql://, mysql:// or mariadb://, sqlite:///PATH; or ${ENV_VAR} "
        "holding one."))
    pool_size: int = Field(default=2, ge=1, le=50)


class RuleFormat(StrEnum):
    """How Prometheus rules are laid out."""

    RULES = "rules"
    OPERATOR = "prometheus-operator"
    MIMIR = "mimir"


class PrometheusSpec(SpecModel):
    """Prometheus-side settings."""

    format: RuleFormat = RuleFormat.RULES
    evaluation_interval: PositiveDuration = Field(default="30s", validate_default=True)
    scrape_interval: PositiveDuration = Field(default="15s", validate_default=True)
    url: Url | None = None
    windows: Literal["recorded", "inline"] = Field(
        default="inline",
        description="inline: alerts and dashboards compute windows from the 5m series (6 "
                    "series per SLO); recorded: one error-ratio series per burn-rate window.")


class ExporterSpec(SpecModel):
    """Health-check exporter settings."""

    listen: str = Field(default="127.0.0.1:9560", pattern=r"^[^\s]*:\d+$")


class GlobalSpec(SpecModel):
    """The shared file: `slos/_global.yaml`."""

    version: Literal["slogen/v1"]
    receivers: list[ReceiverSpec] = Field(default_factory=list)
    routing: RoutingSpec | None = None
    grafana: GrafanaSpec = Field(default_factory=GrafanaSpec)
    databases: dict[Identifier, DatabaseSpec] = Field(default_factory=dict)
    prometheus: PrometheusSpec = Field(default_factory=PrometheusSpec)
    exporter: ExporterSpec = Field(default_factory=ExporterSpec)
