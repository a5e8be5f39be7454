"""One real Prometheus for all live tests, serving backfilled history of known service states."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.validate.processes import free_port, running
from tests.live.history import ERAS, era_text

READY_TIMEOUT = 30.0
# promtool's backfill cuts 2-hour blocks unless told otherwise; one block per era keeps both
# the backfill and Prometheus's start fast.
MAX_BLOCK_DURATION = "2000h"


def _backfill(promtool: str, root: Path) -> Path:
    data = root / "data"
    for name, (end, profile) in ERAS.items():
        source = root / f"{name}.om"
        source.write_text(era_text(end, profile), encoding="utf-8")
        done = subprocess.run(
            [
                promtool,
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                "--quiet",
                f"--max-block-duration={MAX_BLOCK_DURATION}",
                str(source),
                str(data),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"backfill of {source.name} failed:\n{done.stdout}{done.stderr}")
    return data


@pytest.fixture(scope="session")
def prometheus_url(tmp_path_factory: pytest.TempPathFactory, promtool: str) -> Iterator[str]:
    """Base URL of a Prometheus on a free loopback port, holding every era of history."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("prometheus not installed (Debian package prometheus)")
    root = tmp_path_factory.mktemp("prometheus")
    data = _backfill(promtool, root)
    config = root / "prometheus.yml"
    config.write_text("global:\n  evaluation_interval: 1m\n", encoding="utf-8")
    url = f"http://127.0.0.1:{free_port()}"
    argv = [binary, f"--config.file={config}", f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=36500d", f"--web.listen-address={url[7:]}"]
    with running(argv, f"{url}/-/ready", root / "prometheus.log", timeout=READY_TIMEOUT):
        yield url


@pytest.fixture(scope="session")
def closed_url() -> str:
    """A loopback URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"
