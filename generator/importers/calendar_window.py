"""OpenSLO calendar-aligned windows as slogen `calendar:` budgets, or a located refusal.

slogen resets a budget every calendar month (UTC) or every fixed length up to a week (an
hour, a day, a week) counted from a start time. Months in another time zone (PromQL's month()
is UTC) or starting elsewhere than the 1st at 00:00, several months, quarters, years and
fixed periods longer than 7d are refused with the reason (see core/calendar.py). Fixed
lengths in another time zone start at the zone's start time converted to UTC and stay exactly
that long (daylight-saving changes move local boundaries by an hour).
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
MONTH_WINDOW = "30d"


def calendar_window(count: int, unit: str, item: Node,
                    report: Report) -> tuple[str, dict[str, Any]]:
    """slogen window and calendar for a calendar-aligned OpenSLO window of count x unit."""
    start, zone = _start(item.get("calendar"))
    if unit == "M" and count == 1:
        return MONTH_WINDOW, _months(item, start, zone)
    if unit not in UNIT_SECONDS:
        raise Skip(item, f"a calendar window of {count}{unit}: slogen resets budgets every "
                         "calendar month or every fixed length up to 7d; use a rolling window "
                         "such as 90d")
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


def _months(item: Node, start: datetime | None, zone: ZoneInfo | None) -> dict[str, Any]:
    if zone is not None and not _is_utc(zone):
        raise Skip(item, f"calendar months in {zone.key}: PromQL's month() counts months in "
                         "UTC; set timeZone: UTC to reset the budget at midnight UTC")
    if start is not None and (start.day, start.hour, start.minute, start.second) != (1, 0, 0, 0):
        raise Skip(item, f"calendar months starting on day {start.day} at {start:%H:%M:%S}: "
                         "slogen's months start on the 1st at 00:00 UTC")
    return {"months": True}


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
