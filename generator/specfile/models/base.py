"""Shared pieces of the spec models: the strict base class, severities, value conditions."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.core.kinds import Severity
from generator.specfile.field_help import add_descriptions
from generator.specfile.types import LabelName, PositiveDuration

SPEC_VERSION = "slogen/v1"

RuleGroupName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_-]*$", max_length=100)]


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors and parsed specs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=add_descriptions)



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


class AlertFields(SpecModel):
    """What an alert declares besides its condition: severity, texts, labels and MTTD target."""

    severity: Severity = Severity.WARNING
    summary: str | None = None
    description: str | None = None
    labels: dict[LabelName, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target: worst-case time to notify must fit.")
