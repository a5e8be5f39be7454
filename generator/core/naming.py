"""Names of every series, label and uid slogen generates, kept in one place.

Prometheus rules record these series and dashboards, Grafana alerts, docs and live checks read
them, so a rename here reaches every target at once.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from generator.core.durations import format_duration

# Labels slogen puts on its recorded series and alerts.
LABEL_SLO_ID = "slo_id"
LABEL_SLO = "slo"
LABEL_SERVICE = "service"
LABEL_TEAM = "team"
LABEL_SEVERITY = "severity"
LABEL_CHECK = "check"
LABEL_WINDOW = "window"
LABEL_ALERTNAME = "alertname"
# An alert labelled role=service-down inhibits the other alerts of its service (seed 003).
LABEL_ROLE = "role"
ROLE_SERVICE_DOWN = "service-down"
# Prometheus job name of the health-check exporter in the generated scrape config.
EXPORTER_JOB = "slogen-exporter"

# SLO recording rules (level:metric:operation). The window goes in the name, as Prometheus
# naming conventions want one name per range, e.g. slo:sli_error:ratio_rate5m.
#
# What the Prometheus target records per SLO (all carry slo_id, slo, service and team):
#   slo:sli_error:rate5m, slo:sli_total:rate5m   bad and all events per second over 5m: the only
#                                                rules that read the raw SLI series;
#   slo:sli_error:ratio_rate<w>                  (prometheus.windows `recorded` only) error
#                                                ratio over 5m, every burn-rate window and the
#                                                SLO window; inline, the SLO window's ratio is
#                                                read back from budget remaining:
#                                                (1 - remaining) * budget;
#   slo:burn_rate:ratio_rate1h                   the current burn rate (recorded windows only);
#   slo:sli_error:avg<s>_rate5m,                 (with a slower window group, every <s>) the 5m
#   slo:sli_total:avg<s>_rate5m                  rates averaged over one interval of that group:
#                                                the tiles the SLO window's older part averages;
#   slo:error_budget_remaining:ratio             share of the SLO window's budget left (may be < 0),
#                                                1 - the window's error ratio / budget;
#   slo:objective:ratio                          metadata, also labelled with `window` (e.g. 30d)
#                                                and the SLO's own labels, for dashboards to
#                                                join on; the budget is `1 - slo:objective:ratio`.
SLO_ERROR_RATIO = "slo:sli_error:ratio_rate{window}"
SLO_ERRORS = "slo:sli_error:rate{window}"
SLO_TOTAL = "slo:sli_total:rate{window}"
SLO_ERRORS_TILE = "slo:sli_error:avg{tile}_rate{window}"
SLO_TOTAL_TILE = "slo:sli_total:avg{tile}_rate{window}"
SLO_OBJECTIVE = "slo:objective:ratio"
SLO_BUDGET_REMAINING = "slo:error_budget_remaining:ratio"
SLO_BURN_RATE = "slo:burn_rate:ratio_rate{window}"
# The burn-rate condition of one alert level for every SLO of a service at once (the long
# window's error ratio, present only while the condition holds); each SLO's alert reads its own.
SLO_BURN_CONDITION = "slo:burn_{level}:ratio"
SLO_PART_LABEL = "slogen_part_{part}"
SLO_BASE_WINDOW = timedelta(minutes=5)
SLO_CURRENT_BURN_WINDOW = timedelta(hours=1)

# An alert whose input is a PromQL expression rather than a plain selector records the input
# first (alert:high_error_rate:value), so dashboards can plot it and generated tests can drive it.
# Anomaly alerts also record the input's mean and standard deviation over the baseline window,
# e.g. alert:postgres_error_rate_anomaly:stddev_over_time1d.
ALERT_INPUT = "alert:{alert}:value"
# Prefix of a kept series label that a rule label of the same name would overwrite (Prometheus's
# own rename of a scraped label that clashes with a target label).
EXPORTED_PREFIX = "exported_"
ANOMALY_MEAN = "alert:{alert}:avg_over_time{window}"
ANOMALY_STDDEV = "alert:{alert}:stddev_over_time{window}"

# Alert annotations every generated Prometheus alert carries.
ANNOTATION_SUMMARY = "summary"
ANNOTATION_DESCRIPTION = "description"
ANNOTATION_RUNBOOK = "runbook_url"
ANNOTATION_DASHBOARD = "dashboard"
ANNOTATION_BREACH_TIME = "predicted_breach_time"

# Health-check exporter metrics.
CHECK_METRIC_PREFIX = "slogen_check"
CHECK_UP = "slogen_check_up"
CHECK_DURATION = "slogen_check_query_duration_seconds"
CHECK_ERRORS = "slogen_check_query_errors_total"
CHECK_LAST_SUCCESS = "slogen_check_query_last_success_timestamp_seconds"
CHECK_DIFFERENCE = "slogen_check_difference"
CHECK_FAILING = "slogen_check_failing"

MANAGED_TAG = "managed-by:slogen"
# Label on every Grafana-managed alert rule slogen writes, so apply can tell its rules apart.
GRAFANA_MANAGED_LABEL = "managed_by"
GRAFANA_MANAGED_VALUE = "slogen"
GRAFANA_UID_MAX = 40


def window_suffix(window: timedelta) -> str:
    """The Prometheus spelling of a window for series names: 5m, 1h, 30d."""
    return format_duration(window)


def error_ratio_record(window: timedelta) -> str:
    """Recorded SLI error ratio over `window`."""
    return SLO_ERROR_RATIO.format(window=window_suffix(window))


def errors_record(window: timedelta) -> str:
    """Recorded bad-event rate over `window`."""
    return SLO_ERRORS.format(window=window_suffix(window))


def total_record(window: timedelta) -> str:
    """Recorded all-event rate over `window`."""
    return SLO_TOTAL.format(window=window_suffix(window))


def tile_records(window: timedelta, tile: timedelta) -> tuple[str, str]:
    """Recorded bad-event and all-event rates over `window`, averaged over `tile`."""
    suffixes = {"tile": window_suffix(tile), "window": window_suffix(window)}
    return SLO_ERRORS_TILE.format(**suffixes), SLO_TOTAL_TILE.format(**suffixes)


def burn_condition_record(level: str) -> str:
    """Recorded burn-rate condition of an alert level (page, ticket)."""
    return SLO_BURN_CONDITION.format(level=level)


def part_label(part: int) -> str:
    """The label, always empty, that tells promtool's lint apart the rules one record name has
    in each rule group of a service whose SLOs are split over several groups (an empty label
    is no label to Prometheus: the rules' series do not carry it)."""
    return SLO_PART_LABEL.format(part=part)


def burn_rate_record(window: timedelta) -> str:
    """Recorded burn rate over `window`."""
    return SLO_BURN_RATE.format(window=window_suffix(window))


def slo_id(service: str, slo: str) -> str:
    """Sloth's rule: an SLO's id is `<service>-<slo>`."""
    return f"{service}-{slo}"


def quantile_record(histogram: str, quantile: float, rate: timedelta) -> str:
    """Name for a recorded histogram quantile, e.g. `service:http_duration_seconds:p95_rate5m`."""
    pct = f"{quantile * 100:g}".replace(".", "_")
    return f"service:{histogram}:p{pct}_rate{window_suffix(rate)}"


def alert_input_record(service: str, alert: str) -> str:
    """Recorded input series of an alert, e.g. `alert:checkout_high_error_rate:value`.

    The service is part of the name: alert names are unique per service only, and two services'
    `HighErrorRate` inputs under one name would write the same series.
    """
    return ALERT_INPUT.format(alert=_alert_key(service, alert))


def anomaly_records(service: str, alert: str, baseline: timedelta) -> tuple[str, str, str]:
    """Recorded value, mean and standard deviation series of an anomaly alert."""
    snake = _alert_key(service, alert)
    window = window_suffix(baseline)
    return (ALERT_INPUT.format(alert=snake), ANOMALY_MEAN.format(alert=snake, window=window),
            ANOMALY_STDDEV.format(alert=snake, window=window))


def slo_rule_group(service: str, part: int = 0) -> str:
    """Name of the rule group holding a service's SLO recording rules and burn-rate alerts;
    `part` (from 1) numbers the groups of a service whose SLOs are split over several."""
    return f"slogen-{service}-slos" + (f"-{part}" if part else "")


def slo_window_group(service: str, part: int = 0) -> str:
    """Name of the slower rule group holding a service's SLO windows of a day or more (`part`
    as for `slo_rule_group`)."""
    return f"slogen-{service}-slo-windows" + (f"-{part}" if part else "")


def dashboard_path(uid: str) -> str:
    """Path of a Grafana dashboard, relative to the Grafana URL (alerts link to it)."""
    return f"/d/{uid}"


def dashboard_link(uid: str, grafana_url: str | None) -> str:
    """A dashboard's link: absolute below `grafana_url` when it is set, else its path."""
    return (grafana_url or "").rstrip("/") + dashboard_path(uid)


def check_metric(check: str, column: str) -> str:
    """Exporter metric for one value column of a health check."""
    base = f"{CHECK_METRIC_PREFIX}_{_snake(check)}"
    return base if column == "value" else f"{base}_{_snake(column)}"


def grafana_uid(*parts: str) -> str:
    """A stable Grafana uid from spec ids, within Grafana's 40-character limit.

    Short ids are kept readable; long ones are cut and end in a hash of the whole, so two long
    ids that share a prefix still differ.
    """
    raw = "-".join(_slug(p) for p in parts if p)
    if len(raw) <= GRAFANA_UID_MAX:
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    return f"{raw[: GRAFANA_UID_MAX - 9].rstrip('-')}-{digest}"


def contact_point_uid(receiver: str) -> str:
    """Grafana contact point uid for a receiver: stable across runs and renames elsewhere."""
    return grafana_uid("slogen", receiver)


def mute_timing_name(interval: str) -> str:
    """Grafana mute timing that is the complement of a declared active time interval."""
    return f"slogen-outside-{interval}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", text).strip("-").lower()


def _alert_key(service: str, alert: str) -> str:
    return f"{re.sub(r'[^a-zA-Z0-9_]', '_', service)}_{_camel_to_snake(alert)}"


def _camel_to_snake(text: str) -> str:
    # APIGatewayErrorRate -> api_gateway_error_rate: split before a capital that starts a word.
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()


def _snake(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", text)
