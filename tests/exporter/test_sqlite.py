"""The exporter on SQLite (no server needed): values, shapes, read-only, timeouts, secrets."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from generator.exporter.checks import run_check
from generator.exporter.config import ExporterConfig
from generator.exporter.database import Reason
from generator.exporter.scheduler import open_databases, run_once
from tests.exporter.conftest import make_config


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file with a small table `t(k, v)`."""
    path = tmp_path / "checks.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE t (k text, v real); INSERT INTO t VALUES ('a', 1), ('b', 5);"
        )
    return f"sqlite:///{path}"


def _run_one(config: ExporterConfig, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    dbs = open_databases(config, env or {})
    try:
        return run_check(config.checks[0], dbs)
    finally:
        dbs.dispose()


def test_rows_become_labelled_samples_and_the_alert_judges_them(
    sqlite_url: str, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"db": sqlite_url},
        [
            {
                "name": "per-key",
                "database": "db",
                "sql": "SELECT k, v AS value FROM t",
                "labels": ["k"],
                "alert": {"above": 2},
            },
        ],
    )
    exporter = start_exporter(config)
    keys = {"service": "t", "check": "per-key"}
    exporter.wait_for(lambda: exporter.value("slogen_check_up", **keys) == 1)
    assert exporter.value("slogen_check_per_key", **keys, k="a") == 1
    assert exporter.value("slogen_check_per_key", **keys, k="b") == 5
    assert exporter.value("slogen_check_failing", **keys) == 1
    text = generate_latest(exporter.registry).decode()
    assert (
        "# HELP slogen_check_per_key Test check per-key.\n# TYPE slogen_check_per_key gauge\n"
        in text
    )
    assert (
        'slogen_check_query_errors_total{check="per-key",reason="timeout",service="t"} 0.0' in text
    )


@pytest.mark.parametrize(
    "sql, labels, message",
    [
        pytest.param(
            "SELECT v AS value, k FROM t",
            [],
            "query returned columns value, k; expected value",
            id="an undeclared column is a shape error",
        ),
        pytest.param(
            "SELECT v AS value FROM t",
            [],
            "query returned 2 rows; expected 1",
            id="a check without labels returns one row",
        ),
        pytest.param(
            "SELECT 'x' AS value",
            [],
            "column value is not a number (got str)",
            id="values must be numbers",
        ),
        pytest.param(
            "SELECT NULL AS value",
            [],
            "column value is not a number (got NoneType)",
            id="NULL is not a value",
        ),
        pytest.param(
            "SELECT 'same' AS k, v AS value FROM t",
            ["k"],
            "query returned two rows with labels {'k': 'same'}",
            id="label sets must be unique",
        ),
    ],
)
def test_wrong_shapes_are_reported(
    sqlite_url: str, sql: str, labels: list[str], message: str
) -> None:
    config = make_config(
        {"db": sqlite_url}, [{"name": "c", "database": "db", "sql": sql, "labels": labels}]
    )
    outcome = _run_one(config)
    assert outcome.error is not None and outcome.error.reason is Reason.SHAPE
    assert outcome.error.message == message
    assert outcome.failing and not outcome.samples


def test_a_write_is_refused_and_a_runaway_query_interrupted(sqlite_url: str) -> None:
    config = make_config(
        {"db": sqlite_url},
        [{"name": "w", "database": "db", "sql": "INSERT INTO t VALUES ('c', 3)"}],
    )
    outcome = _run_one(config)
    assert outcome.error is not None and outcome.error.reason is Reason.READ_ONLY
    endless = (
        "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) "
        "SELECT count(*) AS value FROM r"
    )
    config = make_config(
        {"db": sqlite_url}, [{"name": "slow", "database": "db", "sql": endless, "timeout": "200ms"}]
    )
    outcome = _run_one(config)
    assert outcome.error is not None and outcome.error.reason is Reason.TIMEOUT
    assert outcome.duration < 2


def test_a_missing_environment_variable_is_a_config_error() -> None:
    config = make_config(
        {"db": "${CHECKS_DB_URL}"}, [{"name": "c", "database": "db", "sql": "SELECT 1 AS value"}]
    )
    outcome = _run_one(config, env={})
    assert outcome.error is not None and outcome.error.reason is Reason.CONFIG
    assert outcome.error.message == "database db: environment variable CHECKS_DB_URL is not set"
    assert _run_one(config, env={"CHECKS_DB_URL": "sqlite://"}).samples[0].value == 1


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("nosuchdriver://reader:s3cr3t-pw@db.example/checks", id="unknown driver"),
        pytest.param("postgresql+psycopg://reader:s3cr3t-pw@127.0.0.1:1/checks", id="refused"),
    ],
)
def test_passwords_never_reach_errors_metrics_or_logs(
    url: str,
    start_exporter,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = make_config(
        {"db": "${CHECKS_DB_URL}"}, [{"name": "c", "database": "db", "sql": "SELECT 1 AS value"}]
    )
    exporter = start_exporter(config, env={"CHECKS_DB_URL": url})
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
