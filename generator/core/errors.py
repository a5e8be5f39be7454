"""The one error type users see for bad specs, and its formatting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Loc = tuple[str | int, ...]


def format_path(loc: Sequence[str | int]) -> str:
    """Render a key path the way users write it: `slos[0].sli.events.total`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


@dataclass(frozen=True, order=True)
class SpecError:
    """One problem in one spec file, located as precisely as the source allows."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}: {self.message}"


class SpecErrors(Exception):
    """Raised with every error found, so users fix them all in one round."""

    def __init__(self, errors: Iterable[SpecError]) -> None:
        self.errors: list[SpecError] = sorted(set(errors), key=_sort_key)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __len__(self) -> int:
        return len(self.errors)


def _sort_key(error: SpecError) -> tuple[str, int, int, str, str]:
    return (error.file, error.line or 0, error.column or 0, error.path, error.message)
