"""Constrained spec types, checked through TypeAdapter with shared valid/invalid input tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from generator.core import durations as d
from generator.specfile import types as t

VALID: list[tuple[Any, Any, Any]] = [
    (t.Duration, "5m", timedelta(minutes=5)),
    (t.Duration, "1h30m", timedelta(hours=1, minutes=30)),
    (t.Duration, "250ms", timedelta(milliseconds=250)),
    (t.Duration, "1y2w3d", timedelta(days=365 + 14 + 3)),
    (t.Duration, "0s", timedelta(0)),
    (t.Duration, " 30s ", timedelta(seconds=30)),
    (t.PositiveDuration, "1s", timedelta(seconds=1)),
    (t.PositiveDuration, "28d", timedelta(days=28)),
    (t.LabelName, "team", "team"),
    (t.LabelName, "_private", "_private"),
    (t.LabelName, "le2", "le2"),
    (t.MetricName, "job:http_requests:rate5m", "job:http_requests:rate5m"),
    (t.MetricName, "up", "up"),
    (t.AlertName, "HighMemoryUsage", "HighMemoryUsage"),
    (t.AlertName, "Disk_Full2", "Disk_Full2"),
    (t.Identifier, "checkout", "checkout"),
    (t.Identifier, "nba-prevention_2", "nba-prevention_2"),
    (t.Uid, "slogen-checkout_1", "slogen-checkout_1"),
    (t.Uid, "A" * 40, "A" * 40),
    (t.Percent, 99.9, 99.9),
    (t.Percent, 50, 50.0),
    (t.Percent, "99.5", 99.5),
    (t.Url, "https://runbooks.example.com/x#y", "https://runbooks.example.com/x#y"),
    (t.Url, "http://127.0.0.1:9090", "http://127.0.0.1:9090"),
    (t.PromQL, "up", "up"),
    (t.WindowQuery, "rate(x[{{window}}])", "rate(x[{{window}}])"),
    (t.WindowQuery, "rate(x[{{ window }}])", "rate(x[{{ window }}])"),
    (t.Quantile, 0.95, 0.95),
    (t.Quantile, 0.001, 0.001),
]

INVALID: list[tuple[Any, Any, str]] = [
    (t.Duration, "5", "is not a Prometheus duration"),
    (t.Duration, 5, "is not a duration; write it with a unit"),
    (t.Duration, "5 m", "is not a Prometheus duration"),
    (t.Duration, "1m1h", "from largest to smallest"),
    (t.Duration, "-5m", "is not a Prometheus duration"),
    (t.Duration, "5M", "is not a Prometheus duration"),
    (t.Duration, "", "is not a Prometheus duration"),
    (t.Duration, True, "is not a duration"),
    (t.Duration, None, "is not a duration"),
    (t.PositiveDuration, "0s", "must be longer than 0s"),
    (t.PositiveDuration, "0ms", "must be longer than 0s"),
    (t.LabelName, "team-x", "String should match pattern"),
    (t.LabelName, "2team", "String should match pattern"),
    (t.LabelName, "", "String should match pattern"),
    (t.MetricName, "http-requests", "String should match pattern"),
    (t.AlertName, "High Memory", "String should match pattern"),
    (t.AlertName, "_Hidden", "String should match pattern"),
    (t.AlertName, "A" * 121, "at most 120 characters"),
    (t.Identifier, "Checkout", "String should match pattern"),
    (t.Identifier, "-checkout", "String should match pattern"),
    (t.Identifier, "a" * 64, "at most 63 characters"),
    (t.Uid, "a" * 41, "at most 40 characters"),
    (t.Uid, "has space", "String should match pattern"),
    (t.Percent, 0, "greater than 0"),
    (t.Percent, 100, "less than 100"),
    (t.Percent, -1, "greater than 0"),
    (t.Percent, "high", "valid number"),
    (t.Url, "runbooks.example.com", "String should match pattern"),
    (t.Url, "ftp://example.com", "String should match pattern"),
    (t.Url, "https://exa mple.com", "String should match pattern"),
    (t.PromQL, "", "at least 1 character"),
    (t.WindowQuery, "rate(x[5m])", "must contain {{window}}"),
    (t.WindowQuery, "rate(x[{window}])", "must contain {{window}}"),
    (t.Quantile, 95, "must be between 0 and 1"),
    (t.Quantile, 0, "must be between 0 and 1"),
    (t.Quantile, 1, "must be between 0 and 1"),
]


@pytest.mark.parametrize("kind, value, expected", VALID,
                         ids=[f"{v!r} is valid" for _, v, _ in VALID])
def test_valid_input(kind: Any, value: Any, expected: Any) -> None:
    assert TypeAdapter(kind).validate_python(value) == expected


@pytest.mark.parametrize("kind, value, message", INVALID,
                         ids=[f"{v!r} is refused" if len(repr(v)) < 30 else f"{m} ({i})"
                              for i, (_, v, m) in enumerate(INVALID)])
def test_invalid_input(kind: Any, value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        TypeAdapter(kind).validate_python(value)


@pytest.mark.parametrize("text", ["5m", "1h30m", "28d", "250ms", "1d2h3m4s5ms", "0s"])
def test_durations_survive_a_round_trip(text: str) -> None:
    assert d.format_duration(d.parse_duration(text)) == text


def test_weeks_and_years_are_written_as_days() -> None:
    assert d.format_duration(d.parse_duration("1y1w")) == "372d"


def test_durations_serialise_to_prometheus_syntax() -> None:
    adapter = TypeAdapter(t.Duration)
    assert adapter.dump_python(timedelta(minutes=90), mode="json") == "1h30m"
    assert adapter.json_schema()["pattern"] == d.DURATION_PATTERN
