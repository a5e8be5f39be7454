"""Error-budget policy specs, read by `slogen gate`."""

from __future__ import annotations

from pydantic import ConfigDict, Field, model_validator

from generator.specfile.models.base import SpecModel
from generator.specfile.types import (
    Duration,
    Identifier,
    PositiveDuration,
    PromQL,
)


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

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)

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
