"""Prometheus alert and recording-rule specs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, Tag, model_validator

from generator.core.kinds import Severity
from generator.specfile.models.base import (
    AlertFields,
    RuleGroupName,
    SpecModel,
    given_keys,
    kind_tag,
    one_kind_of,
)
from generator.specfile.types import (
    AlertName,
    Duration,
    LabelName,
    MetricName,
    PositiveDuration,
    PromQL,
    Quantile,
    Threshold,
    Url,
)


class TierSpec(SpecModel):
    """One tier of a multi-tier threshold alert."""

    above: Threshold | None = None
    below: Threshold | None = None
    for_: Duration | None = Field(default=None, alias="for")

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)

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
    above: Threshold | None = None
    below: Threshold | None = None
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


class _AlertBase(AlertFields):
    """What every alert kind shares: its name, hold time, rule group and runbook."""

    name: AlertName
    for_: Duration = Field(default="0s", alias="for", validate_default=True)
    group: RuleGroupName | None = Field(
        default=None, description="Rule group; default: the service.")
    runbook: Url | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)


_CONDITIONS = ("above", "below", "equals", "tiers")


class ExprAlertSpec(_AlertBase):
    """A threshold alert: `expr` compared with above/below/equals, or tiers per severity."""

    expr: PromQL
    above: Threshold | None = None
    below: Threshold | None = None
    equals: Threshold | None = None
    tiers: dict[Severity, TierSpec] | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> ExprAlertSpec:
        conditions = [k for k in _CONDITIONS if getattr(self, k) is not None]
        if len(conditions) > 1:
            raise ValueError(
                f"give one of above, below, equals or tiers (got {', '.join(conditions)})")
        if self.tiers is not None and len(self.tiers) < 1:
            raise ValueError("tiers needs at least one severity")
        return self


class _OwnConditionAlert(_AlertBase):
    """An alert kind with its own condition: threshold keys are a mistake worth naming."""

    @model_validator(mode="before")
    @classmethod
    def _no_threshold(cls, data: Any) -> Any:
        given = given_keys(data, _CONDITIONS)
        if given:
            kind = given_keys(data, ALERT_KINDS)[0]
            raise ValueError(f"{given[0]} only goes with expr; {kind} has its own condition")
        return data


class AbsentDataAlertSpec(_OwnConditionAlert):
    """Fires when a selector has no data."""

    absent: PromQL = Field(description="Selector that must have data.")


class StaleAlertSpec(_OwnConditionAlert):
    """Fires when a timestamp metric is too old."""

    stale: StaleSpec


class PredictAlertSpec(_OwnConditionAlert):
    """Fires when a linear trend will cross a threshold."""

    predict: PredictSpec


class AnomalyAlertSpec(_OwnConditionAlert):
    """Fires when a value leaves its usual range (z-score)."""

    anomaly: AnomalySpec


# The kind of an alert is the one kind key it holds.
ALERT_KINDS: dict[str, type[_AlertBase]] = {
    "expr": ExprAlertSpec, "absent": AbsentDataAlertSpec, "stale": StaleAlertSpec,
    "predict": PredictAlertSpec, "anomaly": AnomalyAlertSpec,
}

AlertSpec = Annotated[
    Annotated[ExprAlertSpec, Tag(kind_tag("expr"))]
    | Annotated[AbsentDataAlertSpec, Tag(kind_tag("absent"))]
    | Annotated[StaleAlertSpec, Tag(kind_tag("stale"))]
    | Annotated[PredictAlertSpec, Tag(kind_tag("predict"))]
    | Annotated[AnomalyAlertSpec, Tag(kind_tag("anomaly"))],
    one_kind_of(ALERT_KINDS, "expr, absent, stale, predict or anomaly"),
]
"""One alert; its kind is the one kind key it holds."""

AnyAlertSpec = (ExprAlertSpec | AbsentDataAlertSpec | StaleAlertSpec | PredictAlertSpec
                | AnomalyAlertSpec)


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
