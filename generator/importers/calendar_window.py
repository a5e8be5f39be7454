"""OpenSLO calendar-aligned windows as slogen `calendar:` budgets, or a located refusal.

slogen resets a budget every fixed length up to a week (an hour, a day, a week) counted from a
start time. Calendar months, quarters and years, and periods longer than 7d, are refused with
the reason (see core/calendar.py). Fixed lengths in another time zone start at the zone's start
time converted to UTC and stay exactly that long (daylight-saving changes move local
boundaries by an hour).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.importers.report import Report, Severity
from generator.importers.source import Invalid, Node, Skip

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_SECONDS = 7 * 86400
UTC_NAMES = frozenset({"utc", "etc/utc", "gmt", "etc/gmt", "z", "zulu", "universal"})
# A Monday: weeks without a start time begin on Mondays at 00:00 UTC.
DEFAULT_START = datetime(1970, 1, 5, tzinfo=UTC)


def calendar_window(count: int, unit: str, item: Node,
                    report: Report) -> tuple[str, dict[str, Any]]:
    """slogen window and calendar for a calendar-aligned OpenSLO window of count x unit."""
    start, zone = _start(item.get("calendar"))
    if unit not in UNIT_SECONDS:
        raise Skip(item, f"a calendar window of {count}{unit}: the budget since the start of "
                         "a month, quarter or year reads more 5m blocks per evaluation than "
                         "slogen offers (periods of at most 7d); use a rolling window such as "
                         "30d, or a calendar week")
    seconds = count * UNIT_SECONDS[unit]
    if seconds > MAX_SECONDS:
        raise Skip(item, f"a calendar window of {count}{unit} is longer than the 7d slogen "
                         "reads per evaluation; use a rolling window or a calendar week")
    if start is None:
        report.add(Severity.NOTE, item.where(), f"no calendar startTime: periods of {count}"
                   f"{unit} count from Monday 1970-01-05 00:00 UTC")
        begin = DEFAULT_START
    else:
        begin = start.replace(tzinfo=zone or UTC).astimezone(UTC)
        if zone is not None and not _is_utc(zone):
            report.add(Severity.NOTE, item.where(), f"periods start {begin:%Y-%m-%d %H:%M} UTC "
                       f"({start:%H:%M} in {zone.key}) and stay exactly {count}{unit} long; "
                       "daylight-saving changes move the local boundary by an hour")
    return f"{count}{unit}", {"start": begin.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _start(calendar: Node | None) -> tuple[datetime | None, ZoneInfo | None]:
    if calendar is None:
        return None, None
    zone = None
    zone_node = calendar.get("timeZone")
    if zone_node is not None:
        try:
            zone = ZoneInfo((zone_node.text() or "").strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(zone_node, f"{zone_node.text()!r} is not an IANA time zone, like UTC "
                                     "or Europe/Berlin") from None
    node = calendar.get("startTime")
    if node is None:
        return None, zone
    try:
        start = datetime.fromisoformat((node.text() or "").strip())
    except ValueError:
        raise Invalid(node, f"{node.text()!r} is not a date and time like "
                            "2024-01-01 00:00:00") from None
    return start.replace(tzinfo=None), zone


def _is_utc(zone: ZoneInfo) -> bool:
    return zone.key.lower() in UTC_NAMES
