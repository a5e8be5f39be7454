"""Throwaway databases on the shared PostgreSQL and MariaDB servers, and exporter helpers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine, text

from generator import naming
from generator.exporter.collector import HealthCheckCollector
from generator.exporter.config import CheckConfig, ExporterConfig, parse_config
from generator.exporter.database import Databases
from generator.exporter.scheduler import Scheduler, open_databases
from generator.exporter.store import ResultStore
from generator.spec.loader import parse_yaml
from generator.targets import exporter_config
from tests.conftest import ROOT, SPECS_DIR, TESTDATA

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB_ADMIN_URL = "mysql+pymysql://root@127.0.0.1:3306/test"
EXPORTER_DATA = TESTDATA / "exporter"


@dataclass(frozen=True)
class ScratchDatabase:
    """A database created for one test module, dropped afterwards."""

    name: str
    url: str


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def pg_database() -> Iterator[ScratchDatabase]:
    """A fresh PostgreSQL database loaded with the seed 002 and 004 fixture schemas."""
    name = _unique("slogen_t")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        _load(url, "devdiag_pg.sql", "archon_pg.sql")
        yield ScratchDatabase(name, url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def maria_database() -> Iterator[ScratchDatabase]:
    """A fresh MariaDB database loaded with the seed 004 lineage tables."""
    name = _unique("slogen_t")
    admin = create_engine(MARIADB_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
    url = f"mysql+pymysql://root@127.0.0.1:3306/{name}"
    try:
        _load(url, "archon_mariadb.sql")
        yield ScratchDatabase(name, url)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


def _load(url: str, *files: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        for file in files:
            script = (EXPORTER_DATA / file).read_text(encoding="utf-8")
            for statement in _statements(script):
                conn.exec_driver_sql(statement)
    engine.dispose()


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def admin_query(url: str, sql: str) -> list[Any]:
    """Run one statement as the admin user (autocommit) and return its rows."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.exec_driver_sql(sql)
            return list(result.fetchall()) if result.returns_rows else []
    finally:
        engine.dispose()


def reference_config() -> ExporterConfig:
    """The exporter config generated from slos/, exactly as `slogen generate` writes it."""
    from generator import pipeline

    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    text_ = exporter_config.render(model)[exporter_config.CONFIG_PATH]
    data, locator = parse_yaml(text_, "out/exporter/config.yaml")
    return parse_config(data, locator)


def make_config(databases: dict[str, str], checks: list[dict[str, Any]]) -> ExporterConfig:
    """A config from plain data; checks get defaults for the fields a test does not care about."""
    full = [
        {
            "service": "t",
            "help": f"Test check {c['name']}.",
            "every": "1s",
            "timeout": "1s",
            "values": [{"column": "value", "metric": naming.check_metric(c["name"], "value")}],
            "id": f"t-{c['name']}",
            **c,
        }
        for c in checks
    ]
    return ExporterConfig.model_validate(
        {
            "version": "slogen-exporter/v1",
            "databases": {name: {"url": url} for name, url in databases.items()},
            "checks": full,
        }
    )


@dataclass
class RunningExporter:
    """A scheduler with its store and registry, as `slogen exporter` wires them."""

    config: ExporterConfig
    dbs: Databases
    store: ResultStore
    registry: CollectorRegistry
    scheduler: Scheduler

    def value(self, name: str, **labels: str) -> float | None:
        """Current value of one series, or None when it is not exported."""
        return self.registry.get_sample_value(name, labels)

    def errors(self, check: str, reason: str) -> float:
        """Failures of one check (service `t`) counted under `reason`; 0 before the first."""
        return self.value("slogen_check_query_errors_total", service="t", check=check,
                          reason=reason) or 0

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll until `predicate()` is true; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail(f"condition not met within {timeout}s")
            time.sleep(0.05)


@pytest.fixture
def start_exporter() -> Iterator[Callable[..., RunningExporter]]:
    """Start background checks for a config; everything is stopped after the test."""
    started: list[RunningExporter] = []

    def start(
        config: ExporterConfig,
        env: dict[str, str] | None = None,
        checks: list[CheckConfig] | None = None,
    ) -> RunningExporter:
        dbs = open_databases(config, env or {})
        chosen = checks if checks is not None else config.checks
        store = ResultStore(c.id for c in chosen)
        registry = CollectorRegistry()
        registry.register(HealthCheckCollector(chosen, store))
        scheduler = Scheduler(chosen, dbs, store)
        scheduler.start()
        running = RunningExporter(config, dbs, store, registry, scheduler)
        started.append(running)
        return running

    yield start
    for running in started:
        running.scheduler.stop()
        running.dbs.dispose()


def testdata(name: str) -> Path:
    """A file under tests/testdata/exporter."""
    return EXPORTER_DATA / name
