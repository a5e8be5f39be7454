"""Durations as other SLO formats write them, turned into Prometheus durations."""

from __future__ import annotations

import re

from generator.importers.source import Invalid, Node, Skip

_PROM = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
_PART = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1,
            "ms": 0.001}
_SHORTHAND = re.compile(r"^(\d+)([smhdwMQY])$")
CALENDAR_UNITS = {"M": "month", "Q": "quarter", "Y": "year"}
V1ALPHA_UNITS = {"second": "s", "minute": "m", "hour": "h", "day": "d", "week": "w",
                 "month": "M", "quarter": "Q", "year": "Y"}


def seconds(text: str) -> float | None:
    """Seconds in a Prometheus duration, None if `text` is not one (or is zero)."""
    text = text.strip()
    if not text or not _PROM.match(text):
        return None
    total = sum(int(n) * _SECONDS[u] for n, u in _PART.findall(text))
    return total if total > 0 else None


def prometheus(value: float) -> str:
    """A whole number of seconds as the shortest Prometheus duration (days at most)."""
    whole = int(round(value))
    parts = []
    for unit in ("d", "h", "m", "s"):
        count, whole = divmod(whole, int(_SECONDS[unit]))
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def duration(node: Node) -> str:
    """A Prometheus duration written at `node`; raise Invalid if it is not one."""
    text = node.text() or ""
    if seconds(text) is None:
        raise Invalid(node, f"{text or 'this'!r} is not a duration like 5m, 1h or 28d")
    return text.strip()


def window(count: int, unit: str, node: Node) -> str:
    """A rolling window of `count` `unit`s (OpenSLO shorthand units) as a slogen window."""
    if count <= 0:
        raise Invalid(node, f"a window of {count} {unit} is empty")
    if unit in CALENDAR_UNITS:
        raise Skip(node, f"a rolling {count}{unit} window has no fixed length in PromQL "
                         f"({CALENDAR_UNITS[unit]}s differ); write it as days, like 30d")
    return f"{count}{unit}"


def shorthand(node: Node) -> tuple[int, str]:
    """Count and unit of an OpenSLO v1 duration shorthand such as `28d` or `1M`."""
    text = (node.text() or "").strip()
    match = _SHORTHAND.match(text)
    if not match:
        raise Invalid(node, f"{text or 'this'!r} is not an OpenSLO duration like 28d, 1w or "
                            "1M (a number and one of s m h d w M Q Y)")
    return int(match.group(1)), match.group(2)
