"""Prometheus alert and recording-rule specs."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from generator.core.kinds import Severity
from generator.specfile.models.base import AlertFields, RuleGroupName, SpecModel
from generator.specfile.types import (
    AlertName,
    Duration,
    LabelName,
    MetricName,
    PositiveDuration,
    PromQL,
    Quantile,
    Url,
)


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


class AlertSpec(AlertFields):
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
    group: RuleGroupName | None = Field(
        default=None, description="Rule group; default: the service.")
    runbook: Url | None = None

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
