"""Named time intervals in Alertmanager's format, and their complement for Grafana mute timings.

Alertmanager routes can say when they are active; the Grafana policy API we target only knows
mute timings, so an `active_during` interval becomes a mute timing covering the rest of the week.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ruamel.yaml.scalarstring import SingleQuotedScalarString

from generator.core.settings import TimeInterval, TimeRange

DAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
DAY_MINUTES = 24 * 60

Span = tuple[int, int]  # [start, end) in minutes of the day


def interval_items(parts: Sequence[TimeInterval]) -> list[dict[str, Any]]:
    """`time_intervals` entries as Alertmanager and Grafana both spell them."""
    items = []
    for part in parts:
        item: dict[str, Any] = {"location": part.location}
        if part.weekdays:
            item["weekdays"] = list(part.weekdays)
        if part.times:
            # Quoted: a YAML 1.1 reader takes an unquoted 17:00 for the number 1020.
            item["times"] = [{"start_time": SingleQuotedScalarString(t.start),
                              "end_time": SingleQuotedScalarString(t.end)} for t in part.times]
        items.append(item)
    return items


def complement(parts: Sequence[TimeInterval]) -> tuple[TimeInterval, ...]:
    """The times of the week outside `parts`; empty when `parts` cover the whole week."""
    location = parts[0].location if parts else "UTC"
    outside = {day: _subtract((0, DAY_MINUTES), _active(parts, day)) for day in range(7)}
    by_spans: dict[tuple[Span, ...], list[int]] = {}
    for day, free in outside.items():
        if free:
            by_spans.setdefault(tuple(free), []).append(day)
    result = []
    for spans, days in sorted(by_spans.items(), key=lambda kv: kv[1]):
        whole_day = spans == ((0, DAY_MINUTES),)
        times = () if whole_day else tuple(TimeRange(start=_clock(a), end=_clock(b))
                                           for a, b in spans)
        weekdays = () if len(days) == 7 else tuple(_day_ranges(days))
        result.append(TimeInterval(weekdays=weekdays, times=times, location=location))
    return tuple(result)


def _active(parts: Sequence[TimeInterval], day: int) -> list[Span]:
    spans: list[Span] = []
    for part in parts:
        if part.weekdays and day not in _days(part.weekdays):
            continue
        if not part.times:
            return [(0, DAY_MINUTES)]
        spans.extend((_minutes(t.start), _minutes(t.end)) for t in part.times)
    return sorted(spans)


def _subtract(whole: Span, spans: list[Span]) -> list[Span]:
    free, cursor = [], whole[0]
    for start, end in sorted(spans):
        if start > cursor:
            free.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < whole[1]:
        free.append((cursor, whole[1]))
    return free


def _days(ranges: Sequence[str]) -> set[int]:
    days: set[int] = set()
    for text in ranges:
        first, _, last = text.partition(":")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.update(range(start, end + 1))
    return days


def _day_ranges(days: list[int]) -> list[str]:
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [DAYS[r[0]] if len(r) == 1 else f"{DAYS[r[0]]}:{DAYS[r[-1]]}" for r in runs]


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
