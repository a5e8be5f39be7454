"""Resolved settings the targets read: receivers, routing, time intervals, Grafana, databases.

The spec layer builds these from the parsed files (`specfile/build_settings.py`); they carry no
validation of their own, so a change of the file format stops at that builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from generator.core.kinds import DatasourceType, PanelType, RuleFormat, Severity

# --- receivers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlackReceiver:
    """Slack through an incoming webhook whose URL is read from a file."""

    channel: str
    api_url_file: str
    title: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class PagerDutyReceiver:
    """PagerDuty Events v2; the routing key is read from a file."""

    routing_key_file: str
    severity: str | None = None


@dataclass(frozen=True)
class EmailReceiver:
    """Email through a smarthost; the password, if any, is read from a file."""

    to: str
    from_: str
    smarthost: str
    require_tls: bool
    auth_username: str | None = None
    auth_password_file: str | None = None


@dataclass(frozen=True)
class WebhookReceiver:
    """A generic webhook; a bearer token, if any, is read from a file."""

    url: str
    credentials_file: str | None
    max_alerts: int


@dataclass(frozen=True)
class Receiver:
    """A named notification receiver with exactly one integration set."""

    name: str
    send_resolved: bool
    slack: SlackReceiver | None = None
    pagerduty: PagerDutyReceiver | None = None
    email: EmailReceiver | None = None
    webhook: WebhookReceiver | None = None


# --- routing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeRange:
    """A span of the day, `HH:MM` to `HH:MM` (end may be 24:00)."""

    start: str
    end: str


@dataclass(frozen=True)
class TimeInterval:
    """Part of a named time interval: weekdays (empty = every day) and times (empty = all day)."""

    weekdays: tuple[str, ...]
    times: tuple[TimeRange, ...]
    location: str


@dataclass(frozen=True)
class SeverityRoute:
    """Where alerts of one severity go, with optional timing and an active time interval."""

    receivers: tuple[str, ...]
    group_wait: timedelta | None = None
    group_interval: timedelta | None = None
    repeat_interval: timedelta | None = None
    active_during: str | None = None


@dataclass(frozen=True)
class RouteOverride:
    """A global route for alerts matching every label in `match`, tried before the others."""

    match: Mapping[str, str]
    receivers: tuple[str, ...]
    continue_: bool
    group_by: tuple[str, ...] | None
    group_wait: timedelta | None
    group_interval: timedelta | None
    repeat_interval: timedelta | None


@dataclass(frozen=True)
class Routing:
    """The global routing: default receiver and timing, per-severity routes and overrides."""

    receiver: str
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    severities: Mapping[Severity, SeverityRoute]
    overrides: tuple[RouteOverride, ...]
    time_intervals: Mapping[str, tuple[TimeInterval, ...]]
    inhibit_warning_by_critical: bool
    inhibit_symptoms_when_down: bool


@dataclass(frozen=True)
class ServiceRouting:
    """A service's own receivers per severity, routed before the global severity routes."""

    receivers: Mapping[Severity, tuple[str, ...]]
    group_by: tuple[str, ...] | None
    continue_: bool


# --- Grafana, databases, Prometheus, exporter ------------------------------------------------


@dataclass(frozen=True)
class Datasource:
    """A Grafana datasource slogen provisions or refers to."""

    uid: str
    name: str
    type: DatasourceType
    url: str
    database: str | None = None
    user: str | None = None
    password_env: str | None = None
    default: bool = False


@dataclass(frozen=True)
class Folder:
    """A Grafana folder."""

    uid: str
    title: str


@dataclass(frozen=True)
class Query:
    """One query of a hand-declared panel."""

    expr: str
    legend: str


@dataclass(frozen=True)
class Threshold:
    """A colour step: from `value` upwards (None: the base colour) the panel shows `color`."""

    value: float | None
    color: str


@dataclass(frozen=True)
class Panel:
    """A dashboard panel declared by hand."""

    title: str
    type: PanelType
    description: str
    queries: tuple[Query, ...]
    unit: str
    thresholds: tuple[Threshold, ...]
    text: str
    width: int
    height: int


@dataclass(frozen=True)
class Database:
    """A database the exporter connects to; `url` may name an environment variable."""

    url: str
    pool_size: int


@dataclass(frozen=True)
class PrometheusSettings:
    """Rule layout, evaluation and scrape intervals, and where Prometheus answers."""

    format: RuleFormat
    evaluation_interval: timedelta
    scrape_interval: timedelta
    url: str | None
    windows: Literal["recorded", "inline"]


@dataclass(frozen=True)
class ExporterSettings:
    """Where the health-check exporter listens."""

    listen: str
