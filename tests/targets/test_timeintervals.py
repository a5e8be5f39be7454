"""Time intervals: Alertmanager's spelling and the complement Grafana mute timings need."""

from __future__ import annotations

import pytest

from generator.core.settings import TimeInterval, TimeRange
from generator.core.timeintervals import complement, interval_items


def _spec(weekdays: list[str], times: list[tuple[str, str]],
          location: str = "UTC") -> TimeInterval:
    return TimeInterval(weekdays=tuple(weekdays), location=location,
                        times=tuple(TimeRange(a, b) for a, b in times))


@pytest.mark.parametrize("parts, expected", [
    pytest.param([_spec(["monday:friday"], [("09:00", "17:00")])], [
        {"location": "UTC", "weekdays": ["sunday", "saturday"]},
        {"location": "UTC", "weekdays": ["monday:friday"],
         "times": [{"start_time": "00:00", "end_time": "09:00"},
                   {"start_time": "17:00", "end_time": "24:00"}]},
    ], id="working hours leave nights and weekends"),
    pytest.param([_spec(["saturday", "sunday"], [])], [
        {"location": "UTC", "weekdays": ["monday:friday"]},
    ], id="whole days leave whole days"),
    pytest.param([_spec([], [("00:00", "12:00")]), _spec([], [("10:00", "24:00")])], [],
                 id="overlapping parts covering the week leave nothing"),
    pytest.param([_spec(["wednesday"], [("08:00", "10:00"), ("14:00", "16:00")], "Europe/Paris")], [
        {"location": "Europe/Paris", "weekdays": ["sunday:tuesday", "thursday:saturday"]},
        {"location": "Europe/Paris", "weekdays": ["wednesday"],
         "times": [{"start_time": "00:00", "end_time": "08:00"},
                   {"start_time": "10:00", "end_time": "14:00"},
                   {"start_time": "16:00", "end_time": "24:00"}]},
    ], id="gaps between ranges are muted too"),
])
def test_complement(parts: list[TimeInterval], expected: list[dict[str, object]]) -> None:
    assert interval_items(complement(parts)) == expected


def test_interval_items_keep_declared_order_and_fields() -> None:
    assert interval_items([_spec([], [])]) == [{"location": "UTC"}]
