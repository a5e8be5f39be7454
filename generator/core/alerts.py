"""Non-SLO alerts: one small frozen type per kind sharing the AlertCommon block; Alert is the
union of them.

A new kind is a new class here, added to the Alert union; mypy then points at every `match` that
must learn it (rules, unit-test cases, the catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import ClassVar

from generator.core.kinds import Severity
from generator.core.values import Condition, MttdTarget, Source


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
class AlertTexts:
    """What every alert tells its receivers, Prometheus- or Grafana-managed: severity, texts,
    labels, where it was declared and its time-to-detect target."""

    severity: Severity
    summary: str
    description: str
    runbook: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    source: Source
    mttd: MttdTarget | None = None


@dataclass(frozen=True, kw_only=True)
class AlertCommon(AlertTexts):
    """What every non-SLO Prometheus alert has, whatever its kind."""

    kind: ClassVar[AlertKind]
    name: str
    service: str
    team: str
    for_: timedelta
    group: str | None = None


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
