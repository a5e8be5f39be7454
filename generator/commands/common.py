"""What every command shares with the CLI: exit codes, the one-line failure, environment reads.

Commands import these from here, never from `cli`, so that `cli` can import every command
without an import circle.
"""

from __future__ import annotations

import os

EXIT_OK, EXIT_FAILED, EXIT_SPEC = 0, 1, 2
EXIT_INTERNAL = 70  # EX_SOFTWARE from sysexits.h


class CommandError(Exception):
    """A failure to report in one line (no traceback) with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def env(name: str, default: str | None = None) -> str | None:
    """The one place commands read the environment."""
    return os.environ.get(name, default)
