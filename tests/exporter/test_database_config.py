"""Database problems that are configuration, not query, errors; passwords never leak."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import generate_latest

from generator.exporter.checks import Outcome, run_check
from generator.exporter.config import ExporterConfig
from generator.exporter.database import Reason
from generator.exporter.scheduler import open_databases, run_once
from tests.exporter.conftest import MARIADB_PORT, PG_PORT, make_config


def _run_one(config: ExporterConfig, env: dict[str, str] | None = None) -> Outcome:
    dbs = open_databases(config, env or {})
    try:
        return run_check(config.checks[0], dbs)
    finally:
        dbs.dispose()


def _one_check(url: str) -> ExporterConfig:
    return make_config({"db": url}, [{"name": "c", "database": "db", "sql": "SELECT 1 AS value"}])


def test_a_missing_environment_variable_is_a_config_error() -> None:
    config = _one_check("${CHECKS_DB_URL}")
    outcome = _run_one(config, env={})
    assert outcome.error is not None and outcome.error.reason is Reason.CONFIG
    assert outcome.error.message == "database db: environment variable CHECKS_DB_URL is not set"
    assert _run_one(config, env={"CHECKS_DB_URL": "sqlite://"}).samples[0].value == 1


@pytest.mark.parametrize(
    "url, message",
    [
        pytest.param(
            "oracle://u:pw@db/x",
            "database db: unsupported URL scheme 'oracle'; known: mariadb, mysql, postgres, "
            "postgresql, sqlite",
            id="an unknown scheme names the known ones",
        ),
        pytest.param(
            "postgresql+psycopg2://u:pw@db/x",
            "database db: driver 'psycopg2' is not available for postgresql; "
            "use postgresql:// or postgresql+psycopg://",
            id="a driver other than the installed one",
        ),
        pytest.param(
            "mysql://u:pw@db/x?compress=1",
            "database db: cannot use mysql://u:***@db/x?compress=1: unknown MySQL URL options "
            "compress; known: charset, ssl_ca, ssl_cert, ssl_key, unix_socket",
            id="MySQL URL options are checked",
        ),
        pytest.param(
            "sqlite://host/x.db",
            "database db: SQLite URLs have no host: sqlite:///relative.db or sqlite:////abs.db",
            id="SQLite URLs have no host",
        ),
        pytest.param(
            "127.0.0.1:5432/x",
            "database db: URL has no scheme; expected e.g. postgresql://user@host/db",
            id="a URL needs a scheme",
        ),
    ],
)
def test_bad_urls_are_config_errors(url: str, message: str) -> None:
    outcome = _run_one(_one_check(url))
    assert outcome.error is not None and outcome.error.reason is Reason.CONFIG
    assert outcome.error.message == message


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("nosuchdriver://reader:s3cr3t-pw@db.example/checks", id="unknown driver"),
        pytest.param(f"postgresql://reader:s3cr3t-pw@127.0.0.1:{PG_PORT}/nosuchdb",
                     id="PostgreSQL refuses"),
        pytest.param(f"mysql://reader:s3cr3t-pw@127.0.0.1:{MARIADB_PORT}/nosuchdb",
                     id="MariaDB refuses"),
        pytest.param("postgresql://reader:s3cr3t-pw@127.0.0.1:1/checks", id="nothing listens"),
    ],
)
def test_passwords_never_reach_errors_metrics_or_logs(
    url: str,
    start_exporter,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    exporter = start_exporter(_one_check("${CHECKS_DB_URL}"), env={"CHECKS_DB_URL": url})
    exporter.wait_for(lambda: exporter.value("slogen_check_up", service="t", check="c") == 0)
    _, states = exporter.store.snapshot()
    outcome = states["t-c"].outcome
    assert outcome is not None and outcome.error is not None
    shown = outcome.error.message + generate_latest(exporter.registry).decode() + caplog.text
    assert "s3cr3t-pw" not in shown
    assert outcome.error.message.startswith("database db: ")


def test_in_memory_sqlite_serves_checks_from_many_threads() -> None:
    config = make_config(
        {"mem": "sqlite://"},
        [{"name": f"c{i}", "database": "mem", "sql": f"SELECT {i} AS value"} for i in range(6)],
    )
    dbs = open_databases(config, {})
    try:
        outcomes = run_once(config.checks, dbs)
    finally:
        dbs.dispose()
    assert [o.error for o in outcomes.values()] == [None] * 6
    assert [o.samples[0].value for o in outcomes.values()] == [0, 1, 2, 3, 4, 5]
