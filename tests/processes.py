"""Start real Prometheus and Alertmanager processes on free loopback ports, and stop them.

Every process is started by a context manager that waits until it is ready and always
terminates it, even when the test fails.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.validate.processes import free_port, running


def binary(name: str) -> str:
    """Path of a binary, or skip the test with the Debian package to install."""
    path = shutil.which(name)
    if path is None:
        package = {"prometheus": "prometheus", "promtool": "prometheus",
                   "prometheus-alertmanager": "prometheus-alertmanager",
                   "amtool": "prometheus-alertmanager"}.get(name, name)
        pytest.skip(f"{name} not installed (Debian package {package})")
    return path


@dataclass(frozen=True)
class Running:
    """A started server: its base URL and log file."""

    url: str
    log: Path


@contextmanager
def run_process(argv: Sequence[str], ready_url: str, log: Path,
                env: Mapping[str, str] | None = None) -> Iterator[Running]:
    """Run `argv` until the context exits; wait for `ready_url` to answer 200 first."""
    with running(argv, ready_url, log, env):
        yield Running(ready_url.rsplit("/-/", 1)[0], log)


@contextmanager
def prometheus(config: Path, workdir: Path, *extra: str) -> Iterator[Running]:
    """A Prometheus on a free port with its TSDB under `workdir`."""
    port = free_port()
    argv = [binary("prometheus"), f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-lifecycle", "--web.enable-admin-api", *extra]
    with run_process(argv, f"http://127.0.0.1:{port}/-/ready", workdir / "prometheus.log") as run:
        yield run


@contextmanager
def alertmanager(config: Path, workdir: Path, *extra: str) -> Iterator[Running]:
    """An Alertmanager on a free port, clustering off, state under `workdir`."""
    port = free_port()
    argv = [binary("prometheus-alertmanager"), f"--config.file={config}",
            f"--storage.path={workdir / 'alertmanager'}", f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=", *extra]
    with run_process(argv, f"http://127.0.0.1:{port}/-/ready", workdir / "alertmanager.log") as run:
        yield run
