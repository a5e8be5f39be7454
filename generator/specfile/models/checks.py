"""SQL health-check specs, served as metrics by the exporter."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from generator.core.kinds import Severity
from generator.specfile.models.base import Comparison, SpecModel
from generator.specfile.types import (
    Duration,
    Identifier,
    LabelName,
    PositiveDuration,
)


class CompareSpec(SpecModel):
    """Compare the check's value with a second query; the difference is what alerts."""

    sql: str = Field(min_length=1)
    database: Identifier | None = Field(
        default=None, description="Defaults to the check's database.")
    tolerance: float = Field(default=0.0, ge=0, description="Allowed absolute difference.")


class HealthAlertSpec(Comparison):
    """Alert when the check's value meets this condition."""

    severity: Severity = Severity.WARNING
    for_: Duration = Field(default="0s", alias="for", validate_default=True)
    summary: str | None = None
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target: worst-case time to notify must fit.")

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)


class HealthCheckSpec(SpecModel):
    """A SQL health check, run by the exporter and turned into metrics (and an alert)."""

    name: Identifier
    description: str = ""
    database: Identifier
    sql: str = Field(min_length=1)
    every: PositiveDuration = Field(default="1m", validate_default=True)
    timeout: PositiveDuration = Field(default="10s", validate_default=True)
    values: list[LabelName] = Field(
        default_factory=lambda: ["value"], description="Columns that become metric values."
    )
    labels: list[LabelName] = Field(
        default_factory=list, description="Columns that become labels; other columns are an error."
    )
    compare: CompareSpec | None = None
    alert: HealthAlertSpec | None = None
