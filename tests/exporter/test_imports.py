"""What each process loads: the exporter only its driver and no compiler; generate no driver.

Module sets are read in a fresh interpreter (this test process has imported everything).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.exporter.conftest import MARIADB_ADMIN_URL, PG_ADMIN_URL

DRIVERS = ("psycopg", "pymysql", "sqlalchemy")
# Libraries the compiler needs and a long-running exporter must not carry (pydantic alone costs
# it about 11 MiB).
COMPILER_ONLY = ("rich", "grafanalib", "_jsonnet", "requests", "orjson", "pydantic",
                 "generator.pipeline", "generator.specfile.models", "generator.core.model",
                 "generator.targets", "generator.cli")

# Serves one check through the real entry point while a thread waits for its first result on
# /metrics, then reports which modules the process holds.
EXPORTER_PROBE = """
import json, os, sys, threading, time, urllib.request
from generator.__main__ import main
config, port = sys.argv[1], sys.argv[2]
UP = 'slogen_check_up{check="c",service="t"} 1.0'

def probe():
    body = ""
    for _ in range(100):
        try:
            url = "http://127.0.0.1:" + port + "/metrics"
            body = urllib.request.urlopen(url).read().decode()
        except OSError:
            pass
        if UP in body:
            break
        time.sleep(0.1)
    print(json.dumps({"up": UP in body, "modules": sorted(sys.modules)}), flush=True)
    os._exit(0)

threading.Thread(target=probe, daemon=True).start()
main(["exporter", "--config", config, "--listen", "127.0.0.1:" + port, "--log-level", "ERROR"])
"""

# Records every attempt to import a driver and refuses it, then runs a command.
BLOCKER = """
import importlib.abc, json, sys
attempts = []
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            attempts.append(name)
            raise ImportError(name + " is blocked by the test")
        return None
sys.meta_path.insert(0, Refuse())
from generator.__main__ import main
code = main({argv!r})
print(json.dumps({{"code": code, "attempts": attempts}}))
"""


def _python(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps({
        "version": "slogen-exporter/v1",
        "databases": {"db": {"url": url}},
        "checks": [{"id": "t-c", "service": "t", "name": "c", "help": "A check.",
                    "database": "db", "every": "1s", "timeout": "1s", "sql": "SELECT 1 AS value",
                    "values": [{"column": "value", "metric": "slogen_check_c"}]}],
    }))
    return path


@pytest.mark.database
@pytest.mark.parametrize(
    "url, driver",
    [
        pytest.param(PG_ADMIN_URL, "psycopg", id="a PostgreSQL URL loads psycopg only"),
        pytest.param(MARIADB_ADMIN_URL, "pymysql", id="a MySQL URL loads PyMySQL only"),
        pytest.param("sqlite://", None, id="a SQLite URL loads neither"),
    ],
)
def test_the_exporter_loads_only_the_driver_in_use(
    tmp_path: Path, url: str, driver: str | None
) -> None:
    from generator.validate.processes import free_port

    report = json.loads(_python(EXPORTER_PROBE, str(_config(tmp_path, url)), str(free_port())))
    assert report["up"]
    roots = {name.split(".")[0] for name in report["modules"]}
    assert {d for d in DRIVERS if d in roots} == ({driver} if driver else set())
    loaded = set(report["modules"])
    assert [m for m in COMPILER_ONLY if m in loaded] == []


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["generate", "--specs", "slos", "--out", "out", "--check"],
                     id="generate --check"),
        pytest.param(["exporter", "--check-only", "--config", "out/exporter/config.yaml"],
                     id="exporter --check-only"),
    ],
)
def test_commands_that_connect_nowhere_import_no_driver(argv: list[str]) -> None:
    report = json.loads(_python(BLOCKER.format(blocked=set(DRIVERS), argv=argv)))
    assert report == {"code": 0, "attempts": []}
