"""Run one health check: query, validate the result's shape, turn rows into samples, judge it."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from decimal import Decimal

from generator.exporter.config import CheckConfig, Comparison
from generator.exporter.database import Databases, QueryError, Reason, Rows

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sample:
    """One metric value with its label columns (service and check are added by the collector)."""

    metric: str
    labels: Labels
    value: float


@dataclass(frozen=True)
class Outcome:
    """The result of one run of a check."""

    samples: tuple[Sample, ...]
    difference: float | None
    error: QueryError | None
    duration: float
    finished_at: float
    failing: bool

    @property
    def ok(self) -> bool:
        """True when every query succeeded."""
        return self.error is None


def run_check(check: CheckConfig, dbs: Databases) -> Outcome:
    """Run `check` once (both queries of a compare check) and judge it; never raises QueryError."""
    start = time.monotonic()
    difference: float | None = None
    try:
        samples = _samples(check, dbs.fetch(check.database, check.sql, check.timeout_seconds))
        if check.compare is not None:
            left_time = time.monotonic() - start
            other = dbs.fetch(
                check.compare.database,
                check.compare.sql,
                max(0.001, check.timeout_seconds - left_time),
            )
            difference = abs(samples[0].value - _single_value(check, other))
        error = None
    except QueryError as err:
        samples, error = (), err
    duration = time.monotonic() - start
    failing = error is not None or is_failing(check, samples, difference)
    return Outcome(samples, difference, error, duration, time.time(), failing)


def is_failing(check: CheckConfig, samples: tuple[Sample, ...], difference: float | None) -> bool:
    """A compare check fails beyond its tolerance; others when any value meets the alert."""
    if check.compare is not None:
        return difference is None or difference > check.compare.tolerance
    if check.alert is None:
        return False
    first = check.values[0].metric
    return any(meets(check.alert, s.value) for s in samples if s.metric == first)


def meets(cond: Comparison, value: float) -> bool:
    """True when `value` meets the alert condition (the check fails)."""
    if cond.above is not None:
        return value > cond.above
    if cond.below is not None:
        return value < cond.below
    if cond.equals is not None:
        return value == cond.equals
    if cond.outside is not None:
        return value < cond.outside[0] or value > cond.outside[1]
    return False


def expected_text(check: CheckConfig) -> str:
    """What a passing value looks like, for people: `>= 1`, `170 .. 190`, `|diff| <= 0`."""
    if check.compare is not None:
        return f"|difference| <= {check.compare.tolerance:g}"
    cond = check.alert
    if cond is None:
        return "(any)"
    if cond.above is not None:
        return f"<= {cond.above:g}"
    if cond.below is not None:
        return f">= {cond.below:g}"
    if cond.equals is not None:
        return f"!= {cond.equals:g}"
    assert cond.outside is not None
    return f"{cond.outside[0]:g} .. {cond.outside[1]:g}"


def _samples(check: CheckConfig, result: Rows) -> tuple[Sample, ...]:
    columns = set(result.columns)
    if len(columns) != len(result.columns) or columns != check.columns:
        raise QueryError(
            Reason.SHAPE,
            f"query returned columns {', '.join(result.columns) or '(none)'}; "
            f"expected {', '.join(sorted(check.columns))}",
        )
    if not check.labels and len(result.rows) != 1:
        raise QueryError(Reason.SHAPE, f"query returned {len(result.rows)} rows; expected 1")
    index = {name: i for i, name in enumerate(result.columns)}
    out: list[Sample] = []
    seen: set[Labels] = set()
    for row in result.rows:
        labels = tuple((name, _label(row[index[name]])) for name in check.labels)
        if labels in seen:
            raise QueryError(Reason.SHAPE, f"query returned two rows with labels {dict(labels)}")
        seen.add(labels)
        out.extend(
            Sample(v.metric, labels, _number(v.column, row[index[v.column]])) for v in check.values
        )
    return tuple(out)


def _single_value(check: CheckConfig, result: Rows) -> float:
    column = check.values[0].column
    if result.columns != (column,) or len(result.rows) != 1:
        raise QueryError(
            Reason.SHAPE,
            f"compare query must return one row with column {column}; "
            f"got {len(result.rows)} rows of {', '.join(result.columns)}",
        )
    return _number(column, result.rows[0][0])


def _number(column: str, value: object) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if not math.isnan(number):
            return number
    raise QueryError(Reason.SHAPE, f"column {column} is not a number (got {type(value).__name__})")


def _label(value: object) -> str:
    return "" if value is None else str(value)
