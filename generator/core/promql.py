"""Small PromQL builders shared by the Prometheus rule and rule-test modules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta

from generator.core.durations import format_duration
from generator.core.model import Condition, Op
from generator.core.promql_syntax import REGEX_METACHARS

_REGEX_META = re.compile(f"[{re.escape(REGEX_METACHARS)}]")
_PLAIN_SELECTOR = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$")


def dur(value: timedelta) -> str:
    """A duration as PromQL writes it."""
    return format_duration(value)


def seconds(value: timedelta) -> str:
    """A duration in seconds, as a PromQL number."""
    return num(value.total_seconds())


def num(value: float) -> str:
    """A float without noise digits: 0.0010000000000000009 becomes 0.001."""
    return f"{value:.10g}"


def selector(labels: Mapping[str, str]) -> str:
    """`{a="1", b="2"}` with labels in sorted order."""
    inner = ", ".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return "{" + inner + "}"


def set_selector(labels: Mapping[str, str], name: str, values: Sequence[str]) -> str:
    """`{a="1", name=~"v1|v2"}`: `labels` must all match and `name` be one of `values` (a
    plain equality for one value). The alternatives are quoted literally, so Prometheus looks
    each one up in its index instead of scanning the label's values."""
    if len(values) == 1:
        return selector({**labels, name: values[0]})
    inner = [f'{k}="{_escape(v)}"' for k, v in sorted(labels.items())]
    alternatives = "|".join(_escape(_REGEX_META.sub(r"\\\g<0>", v)) for v in sorted(values))
    inner.append(f'{name}=~"{alternatives}"')
    return "{" + ", ".join(sorted(inner)) + "}"


def is_plain_selector(expr: str) -> bool:
    """True when `expr` is a bare vector selector, so a range `[w]` may follow it directly."""
    return bool(_PLAIN_SELECTOR.match(expr.strip()))


def range_of(expr: str, window: timedelta, step: timedelta) -> str:
    """`expr[window]` for selectors, else a subquery `(expr)[window:step]`."""
    if is_plain_selector(expr):
        return f"{expr.strip()}[{dur(window)}]"
    return f"({expr.strip()})[{dur(window)}:{dur(step)}]"


def compare(expr: str, cond: Condition) -> str:
    """`expr` filtered by the condition; OUTSIDE keeps values below low or above high."""
    inner = f"({expr.strip()})" if not is_plain_selector(expr) else expr.strip()
    if cond.op is Op.OUTSIDE:
        assert cond.high is not None
        return f"{inner} < {num(cond.threshold)} or {inner} > {num(cond.high)}"
    return f"{inner} {cond.op.value} {num(cond.threshold)}"


def condition_text(cond: Condition) -> str:
    """The condition in words for annotations: `> 0.05`, `outside [0.5, 2]`."""
    if cond.op is Op.OUTSIDE:
        return f"outside [{num(cond.threshold)}, {num(cond.high or 0)}]"
    return f"{cond.op.value} {num(cond.threshold)}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
