"""The global file (`_global.yaml`): receivers, routing, Grafana, databases."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Tag, model_validator

from generator.core.kinds import DatasourceType, RuleFormat, Severity
from generator.specfile.models.base import SpecModel, kind_tag, one_kind_of
from generator.specfile.types import (
    Duration,
    Identifier,
    LabelName,
    PositiveDuration,
    Uid,
    Url,
)


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

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)


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


class _ReceiverBase(SpecModel):
    """A notification receiver: a name and exactly one integration."""

    name: Identifier
    send_resolved: bool = True


class ReceiverToSlack(_ReceiverBase):
    """A receiver that sends to a Slack channel."""

    slack: SlackReceiverSpec


class ReceiverToPagerDuty(_ReceiverBase):
    """A receiver that sends to PagerDuty."""

    pagerduty: PagerDutyReceiverSpec


class ReceiverToEmail(_ReceiverBase):
    """A receiver that sends email."""

    email: EmailReceiverSpec


class ReceiverToWebhook(_ReceiverBase):
    """A receiver that POSTs to a webhook."""

    webhook: WebhookReceiverSpec


# The kind of a receiver is the one integration key it holds.
RECEIVER_KINDS: dict[str, type[BaseModel]] = {
    "slack": ReceiverToSlack, "pagerduty": ReceiverToPagerDuty, "email": ReceiverToEmail,
    "webhook": ReceiverToWebhook,
}

ReceiverSpec = Annotated[
    Annotated[ReceiverToSlack, Tag(kind_tag("slack"))]
    | Annotated[ReceiverToPagerDuty, Tag(kind_tag("pagerduty"))]
    | Annotated[ReceiverToEmail, Tag(kind_tag("email"))]
    | Annotated[ReceiverToWebhook, Tag(kind_tag("webhook"))],
    one_kind_of(RECEIVER_KINDS, "slack, pagerduty, email or webhook"),
]
"""A notification receiver; its kind is the one integration key it holds."""

AnyReceiverSpec = ReceiverToSlack | ReceiverToPagerDuty | ReceiverToEmail | ReceiverToWebhook


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

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)


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
    url: str | None = Field(
        default=None, pattern=r"^https?://[^/\s?#]+(/[^\s?#]*)?$",
        description="Grafana's base URL, e.g. https://grafana.example.com: Prometheus alerts "
                    "then link to their dashboard with an absolute URL (else /d/<uid>).")


class DatabaseSpec(SpecModel):
    """A database the exporter connects to. `url` may be `${ENV_VAR}`; secrets never in specs."""

    url: str = Field(min_length=1, description=(
        "Database URL: postgresql://, mysql:// or mariadb://, sqlite:///PATH; or ${ENV_VAR} "
        "holding one."))
    pool_size: int = Field(default=2, ge=1, le=50)



class PrometheusSpec(SpecModel):
    """Prometheus-side settings."""

    format: RuleFormat = RuleFormat.RULES
    evaluation_interval: PositiveDuration = Field(default="30s", validate_default=True)
    scrape_interval: PositiveDuration = Field(default="15s", validate_default=True)
    url: Url | None = None
    windows: Literal["recorded", "inline"] = Field(
        default="inline",
        description="inline: alerts and dashboards compute windows from the 5m series (6 "
                    "series per SLO at rest); recorded: one error-ratio series per burn-rate "
                    "window.")


# The page default: a burn that dips under its factor between evaluations (the windows of a
# quiet night, where few requests make noisy ratios; a slow burn hovering at the factor) pages
# once. The ticket default: a slow burn that passes from the 1d/2h pair to the 3d/6h pair (as
# an older incident leaves the 1d window before the burn has held half of 6h) stays one
# ticket. bench/results/backtest-tiers.md holds the scores they were chosen by.
PAGE_KEEP_FIRING_FOR = "1h"
TICKET_KEEP_FIRING_FOR = "2h"


class BurnLevelDefaultsSpec(SpecModel):
    """Defaults for one burn-rate alert level of every SLO."""

    keep_firing_for: Duration = Field(
        default="0s", validate_default=True,
        description="How long the level's alert keeps firing after its condition last held "
                    "(Prometheus 2.42+); an SLO's alerting.<level>.keep_firing_for wins.")
    sustained: bool = Field(
        default=True,
        description="Short windows longer than 5m read the median of their 5m rates, so the "
                    "burn must have held for half of the window (a 1-2 minute error spike "
                    "does not count), and a page pair's long window must have burned the "
                    "budget over half its span (an outage hours ago does not page again); "
                    "false: the workbook's plain means. An SLO's alerting.<level>.sustained "
                    "wins.")


def _page_defaults() -> BurnLevelDefaultsSpec:
    return BurnLevelDefaultsSpec(keep_firing_for=PAGE_KEEP_FIRING_FOR)


def _ticket_defaults() -> BurnLevelDefaultsSpec:
    return BurnLevelDefaultsSpec(keep_firing_for=TICKET_KEEP_FIRING_FOR)


class SloAlertingDefaultsSpec(SpecModel):
    """Burn-rate alert defaults for every SLO, by level."""

    page: BurnLevelDefaultsSpec = Field(
        default_factory=_page_defaults,
        description=f"Page defaults; keep_firing_for {PAGE_KEEP_FIRING_FOR} unless given.")
    ticket: BurnLevelDefaultsSpec = Field(
        default_factory=_ticket_defaults,
        description=f"Ticket defaults; keep_firing_for {TICKET_KEEP_FIRING_FOR} unless given.")


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
    slo_alerting: SloAlertingDefaultsSpec = Field(
        default_factory=SloAlertingDefaultsSpec,
        description="Defaults of every SLO's burn-rate alerts, by level (page, ticket).")
