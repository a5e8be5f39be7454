"""Evaluate Jsonnet specs in a child process with a wall-clock and a memory limit.

A spec directory may come from a contributor (a pull request built in CI), so Jsonnet must not
read files outside it nor run without bounds: imports go through a callback that only opens
regular files below the spec directory and the library path (see jsonnet_child.py), and every
run's files are evaluated in one child process that setrlimit caps in memory and the parent
kills when a file takes longer than the time limit. A killed or crashed child costs only the
file it was evaluating: the rest are evaluated by a fresh child.

The limits come from the command line or the environment (`--jsonnet-timeout`,
`--jsonnet-memory`, SLOGEN_JSONNET_TIMEOUT, SLOGEN_JSONNET_MEMORY), never from the specs, whose
author is the one they guard against.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.errors import SpecError
from generator.specfile.sourcetext import MAX_FILE_BYTES

_CHILD = Path(__file__).with_name("jsonnet_child.py")


@dataclass(frozen=True)
class JsonnetLimits:
    """How long one file may evaluate and how much memory the evaluating process may map."""

    seconds: float = 10.0
    memory_mib: int = 512


_limits = JsonnetLimits()


def configure(limits: JsonnetLimits) -> None:
    """Set the limits for this process's later evaluations (the CLI calls this once)."""
    global _limits  # noqa: PLW0603 - one setting for the run, chosen by the operator
    _limits = limits


def current_limits() -> JsonnetLimits:
    """The limits evaluations use now."""
    return _limits


@dataclass(frozen=True)
class JsonnetSource:
    """One Jsonnet spec: where it is (resolved), how to show it, and its text."""

    path: Path
    shown: str
    text: str


@dataclass(frozen=True)
class Roots:
    """Directories imports may read, and how to show paths below them."""

    allowed: tuple[Path, ...]
    library: tuple[Path, ...]
    shown: tuple[tuple[str, str], ...]  # (resolved directory, shown directory), longest first


def evaluate(sources: Sequence[JsonnetSource], roots: Roots,
             limits: JsonnetLimits | None = None) -> list[Any | SpecError]:
    """Each source's value (parsed JSON) or a located SpecError, in order."""
    limits = limits or _limits
    results: list[Any | SpecError] = []
    while len(results) < len(sources):
        results.extend(_run_child(sources[len(results):], roots, limits))
    return results


def _run_child(sources: Sequence[JsonnetSource], roots: Roots,
               limits: JsonnetLimits) -> list[Any | SpecError]:
    """Evaluate `sources` in one child until it finishes, dies or runs out of time.

    Returns at least one result: the file a killed child was on gets the error.
    """
    request = json.dumps({
        "roots": [str(r) for r in roots.allowed], "library": [str(r) for r in roots.library],
        "memory_bytes": limits.memory_mib * 1024 * 1024,
        "cpu_seconds": int(limits.seconds * len(sources)) + 2,
        "max_output": MAX_FILE_BYTES,
        "files": [{"path": str(s.path), "text": s.text} for s in sources],
    }).encode()
    proc = subprocess.Popen(  # noqa: S603 - our own script, run by this interpreter
        [sys.executable, "-I", str(_CHILD)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        cwd=str(roots.allowed[0]), env=_child_env())
    assert proc.stdin is not None and proc.stdout is not None
    results: list[Any | SpecError] = []
    try:
        try:
            proc.stdin.write(request)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        for line in _lines(proc, limits.seconds, len(sources)):
            if line is None:
                results.append(_limit_error(sources[len(results)], "time", limits))
                return results
            results.append(_answer(json.loads(line), sources[len(results)], roots, limits))
        code = proc.wait()
        if len(results) < len(sources):
            # Allocation failures under RLIMIT_AS abort (SIGABRT) or raise MemoryError (exit 1);
            # a segmentation fault is the C++ stack running out on deep recursion.
            kind = "memory" if code in (-signal.SIGABRT, 1) else (
                "time" if code in (-signal.SIGXCPU, -signal.SIGKILL) else
                "stack" if code == -signal.SIGSEGV else f"exit {code}")
            results.append(_limit_error(sources[len(results)], kind, limits))
        return results
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


def _child_env() -> dict[str, str]:
    # Nothing of the caller's environment reaches the evaluation (Jsonnet cannot read it,
    # but a crash report or a future native function could).
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
    return {k: v for k, v in os.environ.items() if k in keep}


def _lines(proc: subprocess.Popen[bytes], seconds: float, expected: int) -> Any:
    """Answer lines as they arrive; None when the current file overruns `seconds`."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buffer = b""
    deadline = time.monotonic() + seconds + 1.0  # plus interpreter start-up for the first
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while expected:
            while b"\n" in buffer and expected:
                line, buffer = buffer.split(b"\n", 1)
                expected -= 1
                deadline = time.monotonic() + seconds
                yield line
            if not expected:
                return
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                proc.kill()
                yield None
                return
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return
            buffer += chunk


def _answer(answer: dict[str, Any], source: JsonnetSource, roots: Roots,
            limits: JsonnetLimits) -> Any | SpecError:
    if "json" in answer:
        return json.loads(answer["json"])
    if "limit" in answer:
        return _limit_error(source, str(answer["limit"]), limits)
    return locate_error(str(answer["error"]), source, roots)


def _limit_error(source: JsonnetSource, kind: str, limits: JsonnetLimits) -> SpecError:
    if kind == "time":
        message = (f"Jsonnet evaluation took longer than {limits.seconds:g} s and was "
                   "stopped; look for unbounded recursion (raise the limit with "
                   "--jsonnet-timeout or SLOGEN_JSONNET_TIMEOUT)")
    elif kind == "memory":
        message = (f"Jsonnet evaluation needed more than {limits.memory_mib} MiB and was "
                   "stopped (raise the limit with --jsonnet-memory or SLOGEN_JSONNET_MEMORY)")
    elif kind == "stack":
        message = ("Jsonnet evaluation crashed on recursion too deep for its stack and was "
                   "stopped; look for unbounded recursion")
    elif kind == "output":
        message = (f"Jsonnet output is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB; "
                   "split the spec into several files")
    else:
        message = f"Jsonnet evaluation failed ({kind})"
    return SpecError(source.shown, 1, 1, "(document)", message)


_FRAME = re.compile(r"^\t?(?P<file>[^\t\n]+?):\(?(?P<line>\d+):(?P<column>\d+)", re.M)


def locate_error(text: str, source: JsonnetSource, roots: Roots) -> SpecError:
    """A Jsonnet error at the spec file's line and column, with paths shown as users see them.

    The innermost frame in the spec file gives the position; when the error itself is in an
    imported file, the message says where.
    """
    head, _, trace = text.strip().partition("\n")
    static = head.startswith("STATIC ERROR: ")
    head = re.sub(r"^(RUNTIME|STATIC) ERROR: ", "", head)
    frames = [(m["file"], int(m["line"]), int(m["column"])) for m in _FRAME.finditer(trace)]
    if static:
        found = _FRAME.match(head)
        if found:
            frames.insert(0, (found["file"], int(found["line"]), int(found["column"])))
            head = head[found.end():]
            head = re.sub(r"^(-\d+(:\d+)?|\)?-\(\d+:\d+\))?:\s*", "", head)
    own = str(source.path)
    line, column = 1, 1
    where = ""
    for index, (file, frame_line, frame_column) in enumerate(frames):
        if file == own:
            line, column = frame_line, frame_column
            break
        if index == 0:
            where = f" (in {show_path(file, roots)}:{frame_line}:{frame_column})"
    message = _show_paths(head, roots).strip() or "unknown error"
    return SpecError(source.shown, line, column, "(document)",
                     f"Jsonnet evaluation failed: {message}{where}")


def show_path(path: str, roots: Roots) -> str:
    """`path` relative to the directory users see, never the machine's absolute path."""
    for real, shown in roots.shown:
        if path == real or path.startswith(real.rstrip("/") + "/"):
            return shown.rstrip("/") + path[len(real.rstrip("/")):]
    return Path(path).name


def _show_paths(text: str, roots: Roots) -> str:
    for real, shown in roots.shown:
        text = text.replace(real.rstrip("/") + "/", shown.rstrip("/") + "/")
    return text
