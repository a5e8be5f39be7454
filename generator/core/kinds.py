"""The closed sets of values specs choose from and every stage branches on.

The spec models accept exactly these values and the model carries them, so they live in core.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """Alert severities; routing and inhibition are derived from these."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


class DatasourceType(StrEnum):
    """Grafana datasource types slogen provisions."""

    PROMETHEUS = "prometheus"
    POSTGRES = "postgres"
    MYSQL = "mysql"


class PanelType(StrEnum):
    """Panel kinds a spec may declare."""

    STAT = "stat"
    TIMESERIES = "timeseries"
    GAUGE = "gauge"
    TABLE = "table"
    ALERTLIST = "alertlist"
    TEXT = "text"


class RuleFormat(StrEnum):
    """How Prometheus rules are laid out."""

    RULES = "rules"
    OPERATOR = "prometheus-operator"
    MIMIR = "mimir"
