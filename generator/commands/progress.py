"""Progress for long commands, on a terminal only: rich bars and stage names on stderr.

Nothing at all is shown when stderr is not a terminal or with `--quiet`, so logs and pipes get
exactly the report. rich is imported only when a display is actually shown.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


class Progress:
    """A progress display, or nothing; commands call it the same way in both cases."""

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self.enabled = self._stream.isatty() if enabled is None else enabled
        self._live: Any = None
        self._task: Any = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> Progress:
        """The display a command's arguments ask for (`--quiet` turns it off)."""
        return cls(enabled=False) if getattr(args, "quiet", False) else cls()

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Progress]:
        """Show a bar (or a spinner when `total` is None) until the block ends."""
        if not self.enabled:
            yield self
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress

        console = Console(file=self._stream, force_terminal=True)
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn()]
        with RichProgress(*columns, console=console, transient=True) as live:
            self._live, self._task = live, live.add_task(description, total=total)
            try:
                yield self
            finally:
                self._live = self._task = None

    def advance(self, step: int = 1, description: str | None = None) -> None:
        """One more item done (and optionally what is being done now)."""
        if self._live is not None:
            self._live.update(self._task, advance=step,
                              **({"description": description} if description else {}))

    def stage(self, description: str) -> None:
        """Name the stage now running, drawn at once: stages are few, and a fast one would
        otherwise end between two of rich's timed refreshes without ever being shown."""
        if self._live is not None:
            self._live.update(self._task, description=description, refresh=True)

    def note(self, text: str) -> None:
        """A line worth keeping above the bar (a retry, a slow step); terminal only."""
        if self._live is not None:
            self._live.console.print(text, markup=False, highlight=False)
        elif self.enabled:
            print(text, file=self._stream)
