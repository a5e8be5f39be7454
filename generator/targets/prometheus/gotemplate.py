"""Render the small subset of Prometheus alert templates that annotations use, as Prometheus
would, so generated unit tests can state the exact annotations an alert fires with.

Supported: `{{ $value }}`, `{{ $labels.name }}`, pipelines through humanize,
humanizePercentage, humanizeDuration, humanizeTimestamp and `printf "<format>"`. Anything else
raises Unsupported and the caller leaves that alert's firing case out.
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_PRINTF_VERB = re.compile(r"%([-+ 0#]*\d*(?:\.\d+)?)([dfegsv])")


class Unsupported(ValueError):
    """The template uses something this renderer does not imitate."""


def render(text: str, labels: Mapping[str, str], value: float) -> str:
    """`text` with every action replaced as Prometheus's template engine would."""
    if "{{" not in text:
        return text
    return _ACTION.sub(lambda m: _pipeline(m.group(1), labels, value), text)


def go_float(v: float) -> str:
    """A float as Go's `%v` prints it: shortest digits, exponent below 1e-4 or from 1e6."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    d = Decimal(repr(v))
    exp = d.adjusted()
    if exp < -4 or exp >= 6:
        digits = d.as_tuple().digits
        tail = "".join(map(str, digits[1:])).rstrip("0")
        mant = str(digits[0]) + ("." + tail if tail else "")
        return f"{'-' if v < 0 else ''}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pipeline(action: str, labels: Mapping[str, str], value: float) -> str:
    stages = [s.strip() for s in action.split("|")]
    current: object = _operand(stages[0], labels, value)
    for stage in stages[1:]:
        current = _call(stage, current, labels, value)
    return _text(current)


def _operand(word: str, labels: Mapping[str, str], value: float) -> object:
    if word in ("$value", ".Value"):
        return value
    for prefix in ("$labels.", ".Labels."):
        if word.startswith(prefix):
            return labels.get(word[len(prefix):], "")
    parts = _split(word)
    if parts and parts[0] in _FUNCS | {"printf": None}:
        *head, last = parts
        return _call(" ".join(shlex.quote(p) for p in head), _operand(last, labels, value),
                     labels, value)
    raise Unsupported(f"its annotations use the template action {{{{ {word} }}}}")


def _call(stage: str, arg: object, labels: Mapping[str, str], value: float) -> object:
    parts = _split(stage)
    if parts[0] == "printf" and len(parts) == 2:
        return _printf(parts[1], arg)
    if len(parts) == 1 and parts[0] in _FUNCS:
        return _FUNCS[parts[0]](_as_float(arg))
    raise Unsupported(f"its annotations use the template function {stage!r}")


@lru_cache(maxsize=1024)
def _split(words: str) -> tuple[str, ...]:
    """shlex.split, once per distinct text: every alert of one shape has the same actions."""
    return tuple(shlex.split(words))


def _as_float(arg: object) -> float:
    if isinstance(arg, float | int):
        return float(arg)
    try:
        return float(str(arg))
    except ValueError as exc:
        raise Unsupported(f"not a number: {arg!r}") from exc


def _text(v: object) -> str:
    return go_float(v) if isinstance(v, float) else str(v)


def _printf(fmt: str, arg: object) -> str:
    def one(m: re.Match[str]) -> str:
        flags, verb = m.group(1), m.group(2)
        if verb in "fegd":
            number = _as_float(arg)
            return f"%{flags}{verb}" % (int(number) if verb == "d" else number)
        return _text(arg)

    return _PRINTF_VERB.sub(one, fmt).replace("%%", "%")


def humanize(v: float) -> str:
    """Prometheus's humanize: four significant digits with an SI prefix."""
    if v == 0 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    prefixes = ("k", "M", "G", "T", "P", "E", "Z", "Y") if abs(v) >= 1 else (
        "m", "u", "n", "p", "f", "a", "z", "y")
    prefix = ""
    for p in prefixes:
        if (abs(v) < 1000) if abs(v) >= 1 else (abs(v) >= 1):
            break
        prefix = p
        v = v / 1000 if prefixes[0] == "k" else v * 1000
    return _g4(v) + prefix


def humanize_percentage(v: float) -> str:
    """Prometheus's humanizePercentage."""
    return _g4(v * 100) + "%"


def humanize_duration(v: float) -> str:
    """Prometheus's humanizeDuration: `1d 2h 3m 4s`, or fractions of a second."""
    if math.isnan(v) or math.isinf(v):
        return _g4(v)
    if v == 0:
        return "0s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        total = int(abs(v))
        days, rest = divmod(total, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {secs}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {secs}s"
        if minutes:
            return f"{sign}{minutes}m {secs}s"
        return f"{sign}{_g4(abs(v))}s"
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return f"{_g4(v)}{prefix}s"


def humanize_timestamp(v: float) -> str:
    """Prometheus's humanizeTimestamp: Go's time.Time String() in UTC, to the millisecond."""
    if math.isnan(v) or math.isinf(v) or abs(v) > 9e9:
        raise Unsupported(f"timestamp {v} out of range")
    millis = math.floor(v * 1000)
    seconds, ms = divmod(millis, 1000)
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    frac = f".{ms:03d}".rstrip("0") if ms else ""
    return when.strftime("%Y-%m-%d %H:%M:%S") + frac + " +0000 UTC"


def _g4(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return f"{v:.4g}"


_FUNCS: dict[str, Callable[[float], str]] = {
    "humanize": humanize,
    "humanizePercentage": humanize_percentage,
    "humanizeDuration": humanize_duration,
    "humanizeTimestamp": humanize_timestamp,
}
