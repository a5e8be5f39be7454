"""Run a local server (Prometheus, Alertmanager, an exporter) on a loopback port: start it, wait
until it answers, and always stop it. Used by backtest, and by tests and benchmarks."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

READY_TIMEOUT_SECONDS = 30.0
STOP_GRACE_SECONDS = 10.0
_LOG_TAIL = 3000


class ProcessError(Exception):
    """The process exited or never became ready; the message ends with its log's tail."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate politely, then kill if it does not exit within the grace period."""
    proc.terminate()
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_GRACE_SECONDS)


def wait_ready(proc: subprocess.Popen[bytes], ready_url: str, log: Path,
               timeout: float = READY_TIMEOUT_SECONDS) -> None:
    """Block until `ready_url` answers 200; raise ProcessError if the process dies or times out."""
    name = Path(str(proc.args[0] if isinstance(proc.args, (list, tuple)) else proc.args)).name
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ProcessError(f"{name} exited with {proc.returncode}:\n{_tail(log)}")
        try:
            if requests.get(ready_url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise ProcessError(f"{name} not ready after {timeout:g}s:\n{_tail(log)}")
        time.sleep(0.1)


@contextmanager
def running(argv: Sequence[str], ready_url: str, log: Path,
            env: Mapping[str, str] | None = None,
            timeout: float = READY_TIMEOUT_SECONDS) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` (output appended to `log`) while the context lasts, once `ready_url` answers."""
    with log.open("ab") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT,
                                env=dict(env) if env is not None else None)
    try:
        wait_ready(proc, ready_url, log, timeout)
        yield proc
    finally:
        stop(proc)


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-_LOG_TAIL:]
    except OSError:
        return "(no log)"
