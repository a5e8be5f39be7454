"""Small value types the whole model uses: where a thing was declared, conditions, MTTD targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


@dataclass(frozen=True)
class Source:
    """Where a model object was declared, so later stages can point errors at the spec."""

    file: str
    path: str
    line: int | None = None
    column: int | None = None

    def prefix(self) -> str:
        """`file:line:column: path` for error messages."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.path}"


class Op(StrEnum):
    """Comparison operators a condition may use."""

    ABOVE = ">"
    BELOW = "<"
    EQUALS = "=="
    OUTSIDE = "outside"


@dataclass(frozen=True)
class MttdTarget:
    """A time-to-detect target and where it was declared."""

    within: timedelta
    source: Source


@dataclass(frozen=True)
class Condition:
    """`value op threshold`; OUTSIDE uses (low, high)."""

    op: Op
    threshold: float
    high: float | None = None
