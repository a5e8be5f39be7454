"""Prometheus durations: parsing `5m`/`1h30m`/`250ms` and the one canonical spelling.

Every stage reads and writes durations, so they live in the core layer.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Any

DURATION_PATTERN = r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$"
_DURATION_RE = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_UNIT_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_UNITS_ORDER = ("y", "w", "d", "h", "m", "s")
_MAX_NANOSECONDS = 2**63 - 1  # Prometheus (Go) durations are int64 nanoseconds


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
    if millis * 1_000_000 > _MAX_NANOSECONDS:
        raise ValueError(f"{value!r} is longer than Prometheus durations go (about 292y)")
    return timedelta(milliseconds=millis)


@lru_cache(maxsize=1024)
def format_duration(value: timedelta) -> str:
    """Canonical Prometheus spelling of a duration: the largest units first, `0s` for zero.

    Remembered: rendering spells the same few windows hundreds of thousands of times."""
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
