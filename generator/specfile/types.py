"""Constrained scalar types shared by every spec model (durations, names, percentages)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from generator.core.durations import DURATION_PATTERN, format_duration, parse_duration


def _nonzero_duration(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than 0s")
    return value


_DURATION_SCHEMA = WithJsonSchema(
    {"type": "string", "pattern": DURATION_PATTERN, "examples": ["5m", "1h30m", "30d"]}
)
_DURATION_SERIALIZER = PlainSerializer(format_duration, return_type=str)

Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), _DURATION_SERIALIZER, _DURATION_SCHEMA
]
"""A Prometheus duration such as `5m`; zero (`0s`) allowed."""

PositiveDuration = Annotated[
    timedelta,
    BeforeValidator(lambda v: _nonzero_duration(parse_duration(v))),
    _DURATION_SERIALIZER,
    _DURATION_SCHEMA,
]
"""A Prometheus duration longer than zero."""

LabelName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")]
"""A Prometheus label name."""

MetricName = Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
"""A Prometheus metric or recording-rule name."""

AlertName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=120)]
"""An alert name: letters, digits and underscores, starting with a letter (CamelCase is usual)."""

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63)]
"""A lower-case id (service, SLO, check, receiver names): letters, digits, `-` and `_`."""

Uid = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_-]+$", max_length=40)]
"""A Grafana uid: at most 40 characters of letters, digits, `-` and `_`."""

Threshold = Annotated[float, Field(ge=-1e300, le=1e300)]
"""An alert threshold. Beyond +-1e300 the generated unit tests, which feed values past the
threshold, would overflow to infinity."""

Percent = Annotated[float, Field(gt=0, lt=100)]
"""An objective in percent, strictly between 0 and 100 (100 leaves no error budget)."""



def _not_a_ratio(value: float) -> float:
    # OpenSLO and Sloth's ratio form write 99.9% as 0.999; read as a percentage it is an
    # objective of under 1% whose burn rates can never fire.
    if value <= 1:
        raise ValueError(f"{value:g} looks like a ratio, but objectives are percentages; "
                         f"did you mean {value * 100:g}?")
    return value


Objective = Annotated[Percent, AfterValidator(_not_a_ratio)]
"""An SLO objective in percent, above 1 (a value up to 1 is a ratio written by mistake)."""

PromQL = Annotated[str, Field(min_length=1)]
"""A PromQL expression; its syntax is checked with promtool after loading."""

_WINDOW_RE = re.compile(r"\{\{\s*window\s*\}\}")


def _has_window(value: str) -> str:
    if not _WINDOW_RE.search(value):
        raise ValueError("the query must contain {{window}} where the range goes, "
                         "like rate(x[{{window}}])")
    return value


WindowQuery = Annotated[str, Field(min_length=1), AfterValidator(_has_window)]
"""A PromQL template whose range selectors say `[{{window}}]`; slogen fills in each window."""

Url = Annotated[str, Field(pattern=r"^https?://\S+$")]
"""An http(s) URL."""


def _quantile(value: float) -> float:
    if not 0 < value < 1:
        raise ValueError(f"quantile {value:g} must be between 0 and 1 (exclusive), like 0.95")
    return value


Quantile = Annotated[float, AfterValidator(_quantile)]
"""A histogram quantile such as 0.95 (not 95)."""
