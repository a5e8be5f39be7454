"""Throwaway databases on the shared PostgreSQL and MariaDB servers, and exporter helpers.

Scratch databases are created and loaded through the drivers the exporter itself uses, under
unique names, so tests of other sessions on the same servers never meet them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import pymysql
import pytest
from prometheus_client import CollectorRegistry

from generator.core import naming
from generator.exporter.collector import HealthCheckCollector
from generator.exporter.config import CheckConfig, ExporterConfig, parse_config
from generator.exporter.database import Databases
from generator.exporter.scheduler import Scheduler, open_databases
from generator.exporter.store import ResultStore
from generator.specfile.loader import parse_yaml
from generator.specfile.yamlread import Locator
from generator.targets import exporter as exporter_config
from tests.conftest import ROOT, SPECS_DIR, TESTDATA

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
MARIADB_HOST, MARIADB_PORT, MARIADB_USER = "127.0.0.1", 3306, "root"
PG_ADMIN_URL = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/test"
MARIADB_ADMIN_URL = f"mysql://{MARIADB_USER}@{MARIADB_HOST}:{MARIADB_PORT}/test"
EXPORTER_DATA = TESTDATA / "exporter"


@dataclass(frozen=True)
class ScratchDatabase:
    """A database created for one test module, dropped afterwards."""

    name: str
    url: str


def unique_name(prefix: str = "slogen_t") -> str:
    """A database name no other test run uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextmanager
def pg_scratch(*scripts: str) -> Iterator[ScratchDatabase]:
    """A fresh PostgreSQL database loaded with `scripts` (SQL text), dropped on exit."""
    name = unique_name()
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=name) as conn:
            for script in scripts:
                for statement in statements(script):
                    conn.execute(statement)
        yield ScratchDatabase(name, f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}")
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def maria_scratch(*scripts: str) -> Iterator[ScratchDatabase]:
    """A fresh MariaDB database loaded with `scripts` (SQL text), dropped on exit."""
    name = unique_name()
    with _maria_admin() as admin:
        admin.cursor().execute(f"CREATE DATABASE `{name}`")
    try:
        conn = pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user=MARIADB_USER,
                               database=name, autocommit=True)
        with conn:
            for script in scripts:
                for statement in statements(script):
                    conn.cursor().execute(statement)
        yield ScratchDatabase(name, f"mysql://{MARIADB_USER}@{MARIADB_HOST}:{MARIADB_PORT}/{name}")
    finally:
        with _maria_admin() as admin:
            admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture(scope="module")
def pg_database() -> Iterator[ScratchDatabase]:
    """A fresh PostgreSQL database loaded with the seed 002 and 004 fixture schemas."""
    with pg_scratch(testdata_sql("devdiag_pg.sql"), testdata_sql("archon_pg.sql")) as db:
        yield db


@pytest.fixture(scope="module")
def maria_database() -> Iterator[ScratchDatabase]:
    """A fresh MariaDB database loaded with the seed 004 lineage tables."""
    with maria_scratch(testdata_sql("archon_mariadb.sql")) as db:
        yield db


def statements(script: str) -> list[str]:
    """The statements of an SQL script (`;`-separated, `--` comment lines dropped)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def testdata_sql(name: str) -> str:
    """An SQL script under tests/testdata/exporter."""
    return (EXPORTER_DATA / name).read_text(encoding="utf-8")


def pg_admin_query(sql: str, database: str = "test") -> list[tuple[Any, ...]]:
    """Run one statement as the PostgreSQL admin (autocommit) and return its rows."""
    with _pg_admin(database) as conn:
        cursor = conn.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []


def maria_admin_query(sql: str, database: str = "test") -> list[tuple[Any, ...]]:
    """Run one statement as the MariaDB admin (autocommit) and return its rows."""
    with _maria_admin(database) as conn:
        cursor = conn.cursor()
        cursor.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []


def _pg_admin(database: str = "test") -> psycopg.Connection[Any]:
    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=database,
                           autocommit=True)


def _maria_admin(database: str = "test") -> pymysql.Connection[Any]:
    return pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user=MARIADB_USER,
                           database=database, autocommit=True)


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
    data = {
        "version": "slogen-exporter/v1",
        "databases": {name: {"url": url} for name, url in databases.items()},
        "checks": full,
    }
    return parse_config(data, Locator("(test config)"))


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
