"""Shared pieces of the spec models: the strict base class, severities, value conditions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, model_validator

from generator.core.kinds import Severity
from generator.specfile.field_help import add_descriptions
from generator.specfile.types import LabelName, PositiveDuration, Threshold

SPEC_VERSION = "slogen/v1"

RuleGroupName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_-]*$", max_length=100)]


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors and parsed specs are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              json_schema_extra=add_descriptions)


# The error type messages.py turns into "give exactly one of ... (got ...)".
ONE_KIND_ERROR = "exactly_one_of"


def kind_tag(key: str) -> str:
    """The union tag of the kind chosen by `key`; the brackets keep it out of error paths."""
    return f"kind[{key}]"


def one_kind_of(kinds: dict[str, type[BaseModel]], choices: str) -> Discriminator:
    """Discriminate a union by which one of the kind keys a mapping holds.

    None of them or several is an `exactly_one_of` error that names the allowed keys; anything
    but a mapping goes to the first kind, whose model reports what a mapping would have been.
    """
    keys = tuple(kinds)

    def kind(data: Any) -> str | None:
        if isinstance(data, BaseModel):
            return next((kind_tag(k) for k, model in kinds.items() if isinstance(data, model)),
                        None)
        if not isinstance(data, dict):
            return kind_tag(keys[0])
        given = given_keys(data, keys)
        return kind_tag(given[0]) if len(given) == 1 else None

    return Discriminator(kind, custom_error_type=ONE_KIND_ERROR,
                         custom_error_message=f"give exactly one of {choices}",
                         custom_error_context={"choices": choices, "keys": ",".join(keys)})


def given_keys(data: Any, keys: Iterable[str]) -> list[str]:
    """The `keys` a parsed mapping sets to something other than null, in `keys` order."""
    if not isinstance(data, dict):
        return []
    return [k for k in keys if data.get(k) is not None]


class Comparison(SpecModel):
    """A condition on a value: exactly one of above, below, outside or equals."""

    above: Threshold | None = None
    below: Threshold | None = None
    outside: tuple[Threshold, Threshold] | None = Field(
        default=None, description="Fires when the value is below the first or above the second."
    )
    equals: Threshold | None = None

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
