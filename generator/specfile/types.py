"""Constrained scalar types shared by every spec model (durations, names, percentages)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

DURATION_PATTERN = r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$"
_DURATION_RE = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_UNIT_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_UNITS_ORDER = ("y", "w", "d", "h", "m", "s")


def parse_duration(value: Any) -> timedelta:
    """Parse a Prometheus duration (`5m`, `1h30m`, `250ms`) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(
            f"{value!r} is not a duration; write it with a unit, like 30s, 5m, 1h30m or 28d"
        )
    text = value.strip()
    if not text or not re.fullmatch(DURATION_PATTERN, text):
        raise ValueError(
            f"{value!r} is not a Prometheus duration; use units ms, s, m, h, d, w, y "
            "from largest to smallest, like 90s, 1h30m or 28d"
        )
    millis = 0
    for number, unit in _DURATION_RE.findall(text):
        millis += int(number) * (1 if unit == "ms" else _UNIT_SECONDS[unit] * 1000)
    return timedelta(milliseconds=millis)


def format_duration(value: timedelta) -> str:
    """Canonical Prometheus spelling of a duration: the largest units first, `0s` for zero."""
    millis = round(value.total_seconds() * 1000)
    if millis == 0:
        return "0s"
    seconds, ms = divmod(millis, 1000)
    parts = []
    for unit in _UNITS_ORDER:
        # Prometheus reads "1d" fine, but weeks and years confuse reviewers: prefer days.
        if unit in ("y", "w"):
            continue
        size = _UNIT_SECONDS[unit]
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    if ms:
        parts.append(f"{ms}ms")
    return "".join(parts)


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

Percent = Annotated[float, Field(gt=0, lt=100)]
"""An objective in percent, strictly between 0 and 100 (100 leaves no error budget)."""

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
