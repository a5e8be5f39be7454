"""What every check takes and returns: the tools it may run and the problems it found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tools:
    """Paths of external binaries; None when not installed."""

    promtool: str | None
    amtool: str | None


@dataclass(frozen=True)
class Problem:
    """A failed check: which file, and the tool's own words."""

    check: str
    file: str
    output: str
    warning: bool = False  # reported, but generation goes on

    def __str__(self) -> str:
        if self.warning:
            return f"{self.file}: {self.check}: {self.output}"
        return f"{self.file}: {self.check} failed:\n{self.output}"
