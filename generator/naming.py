"""Names of every series, label and uid slogen generates, kept in one place.

Prometheus rules record these series and dashboards, Grafana alerts, docs and live checks read
them, so a rename here reaches every target at once.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from generator.spec.types import format_duration

# Labels slogen puts on its recorded series and alerts.
LABEL_SLO_ID = "slo_id"
LABEL_SLO = "slo"
LABEL_SERVICE = "service"
LABEL_TEAM = "team"
LABEL_SEVERITY = "severity"
LABEL_CHECK = "check"
LABEL_WINDOW = "window"

# SLO recording rules (level:metric:operation). The window goes in the name, as Prometheus
# naming conventions want one name per range, e.g. slo:sli_error:ratio_rate5m.
SLO_ERROR_RATIO = "slo:sli_error:ratio_rate{window}"
SLO_ERRORS = "slo:sli_error:rate{window}"
SLO_TOTAL = "slo:sli_total:rate{window}"
SLO_OBJECTIVE = "slo:objective:ratio"
SLO_ERROR_BUDGET = "slo:error_budget:ratio"
SLO_BUDGET_REMAINING = "slo:error_budget_remaining:ratio"
SLO_BURN_RATE = "slo:burn_rate:ratio_rate{window}"
SLO_WINDOW_SECONDS = "slo:window:seconds"
SLO_INFO = "slo:info"

# Health-check exporter metrics.
CHECK_METRIC_PREFIX = "slogen_check"
CHECK_UP = "slogen_check_up"
CHECK_DURATION = "slogen_check_query_duration_seconds"
CHECK_ERRORS = "slogen_check_query_errors_total"
CHECK_LAST_SUCCESS = "slogen_check_query_last_success_timestamp_seconds"
CHECK_DIFFERENCE = "slogen_check_difference"

MANAGED_TAG = "managed-by:slogen"
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


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", text).strip("-").lower()


def _snake(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", text)
