"""Work done by a forked copy of this process, on another core.

A generate forks helpers to read spec files and to render services beside this process. Each
helper runs one function and exits without returning into the caller's code (no cleanup,
no second copy of the caller's stack unwinding): 0 when the function returned, 1 when it
raised. The caller collects what it sent and renders or reads whatever it did not.
"""

from __future__ import annotations

import os
from collections.abc import Callable


def available() -> bool:
    """Whether a helper can run on another core: the platform forks and has two cores."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def start(work: Callable[[], None]) -> int:
    """Fork a helper that runs `work` and exits; its pid, in this process."""
    pid = os.fork()
    if pid == 0:  # the helper: never returns
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return pid
