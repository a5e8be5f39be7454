"""The reference checks of seeds 002 and 004 against a real PostgreSQL, and failure handling."""

from __future__ import annotations

import pytest

from generator.exporter.checks import Outcome
from generator.exporter.config import ExporterConfig
from generator.exporter.database import Reason
from generator.exporter.scheduler import open_databases, run_once
from tests.exporter.conftest import (
    PG_ADMIN_URL,
    ScratchDatabase,
    admin_query,
    make_config,
    reference_config,
)
from tests.exporter.tcp_proxy import TcpProxy

pytestmark = pytest.mark.database


def _run_service(config: ExporterConfig, service: str, env: dict[str, str]) -> dict[str, Outcome]:
    checks = [c for c in config.checks if c.service == service]
    dbs = open_databases(config, env)
    try:
        return {c.name: o for c, o in zip(checks, run_once(checks, dbs).values(), strict=True)}
    finally:
        dbs.dispose()


def test_the_ten_seed_002_checks_give_the_expected_values(pg_database: ScratchDatabase) -> None:
    outcomes = _run_service(reference_config(), "devdiag", {"DEVDIAG_DB_URL": pg_database.url})
    assert len(outcomes) == 10
    assert all(o.ok for o in outcomes.values()), {n: o.error for n, o in outcomes.items()}
    values = {name: o.samples[0].value for name, o in outcomes.items()}
    assert values["data-freshness"] == 3
    assert values["volume-trend"] == pytest.approx(1.0)
    assert values["unlearned-problems"] == 3
    assert values["retention-days"] == pytest.approx(200, abs=0.01)
    assert values["fix-confidence"] == pytest.approx(0.65)
    assert values["database-bytes"] > 1_000_000
    assert values["views-present"] == 6
    assert values["indexes-present"] == 8
    assert 0 <= values["stale-data-seconds"] < 300
    assert values["problem-diversity"] == 3
    failing = sorted(name for name, o in outcomes.items() if o.failing)
    assert failing == ["fix-confidence", "indexes-present", "retention-days"]


def test_the_seed_004_checks_give_the_expected_values(pg_database: ScratchDatabase) -> None:
    outcomes = _run_service(
        reference_config(), "archon-intelligence", {"TRACEABILITY_DB_URL": pg_database.url}
    )
    assert all(o.ok for o in outcomes.values()), {n: o.error for n, o in outcomes.items()}
    assert outcomes["database-connectivity"].samples[0].value == 1
    assert outcomes["lineage-tables"].samples[0].value == 3
    assert outcomes["orphaned-edges"].samples[0].value == 2
    sizes = {dict(s.labels)["table"]: s.value for s in outcomes["lineage-table-bytes"].samples}
    assert set(sizes) == {"lineage_nodes", "lineage_edges", "lineage_events"}
    assert all(size > 0 for size in sizes.values())
    assert [n for n, o in sorted(outcomes.items()) if o.failing] == ["orphaned-edges"]


def test_a_writing_query_is_refused_and_reported(
    pg_database: ScratchDatabase, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"pg": pg_database.url},
        [
            {
                "name": "sneaky",
                "database": "pg",
                "sql": "INSERT INTO lineage_nodes VALUES ('n99', 'x') RETURNING 1 AS value",
            },
            {
                "name": "escape",
                "database": "pg",
                "sql": "COMMIT; INSERT INTO lineage_nodes VALUES ('n98', 'x') RETURNING 1 AS value",
            },
        ],
    )
    exporter = start_exporter(config)
    keys = {"service": "t"}
    exporter.wait_for(
        lambda: all(
            (
                exporter.value(
                    "slogen_check_query_errors_total",
                    **keys,
                    check=name,
                    reason=Reason.READ_ONLY.value,
                )
                or 0
            )
            >= 1
            for name in ("sneaky", "escape")
        )
    )
    assert exporter.value("slogen_check_up", **keys, check="sneaky") == 0
    assert exporter.value("slogen_check_sneaky", **keys, check="sneaky") is None
    assert admin_query(pg_database.url, "SELECT count(*) FROM lineage_nodes") == [(3,)]


def test_a_slow_query_hits_its_timeout_without_stalling_the_others(
    pg_database: ScratchDatabase, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"pg": pg_database.url},
        [
            {
                "name": "slow",
                "database": "pg",
                "timeout": "300ms",
                "sql": "SELECT 1 AS value FROM pg_sleep(5)",
            },
            {
                "name": "quick",
                "database": "pg",
                "every": "100ms",
                "timeout": "100ms",
                "sql": "SELECT 1 AS value",
            },
        ],
    )
    exporter = start_exporter(config)
    exporter.wait_for(
        lambda: exporter.errors("slow", "timeout") >= 1
    )
    slow_count = exporter.value(
        "slogen_check_query_duration_seconds_count", service="t", check="slow"
    )
    slow_sum = exporter.value("slogen_check_query_duration_seconds_sum", service="t", check="slow")
    assert slow_count == 1 and 0.25 < (slow_sum or 0) < 2.0
    assert (
        exporter.value("slogen_check_query_duration_seconds_count", service="t", check="quick") or 0
    ) >= 3
    assert exporter.value("slogen_check_up", service="t", check="quick") == 1


def test_recovers_after_its_connection_is_killed_mid_query(
    pg_database: ScratchDatabase, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    app = f"slogen-kill-{pg_database.name}"
    config = make_config(
        {"pg": f"{pg_database.url}?application_name={app}"},
        [
            {
                "name": "pid",
                "database": "pg",
                "every": "2s",
                "timeout": "2s",
                "sql": "SELECT pg_backend_pid() AS value FROM pg_sleep(0.5)",
            },
        ],
    )
    exporter = start_exporter(config)
    keys = {"service": "t", "check": "pid"}
    exporter.wait_for(lambda: exporter.value("slogen_check_pid", **keys) is not None)
    first_pid = exporter.value("slogen_check_pid", **keys)
    # Wait until the next run is inside pg_sleep, then terminate its backend.
    exporter.wait_for(
        lambda: bool(
            admin_query(
                PG_ADMIN_URL,
                (
                    "SELECT pid FROM pg_stat_activity WHERE application_name = "
                    f"'{app}' AND state = 'active'"
                ),
            )
        ),
        timeout=5,
    )
    admin_query(
        PG_ADMIN_URL,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{app}'",
    )
    exporter.wait_for(
        lambda: (
            (exporter.value("slogen_check_query_errors_total", **keys, reason="connection") or 0)
            >= 1
        )
    )
    assert exporter.value("slogen_check_up", **keys) == 0
    exporter.wait_for(lambda: exporter.value("slogen_check_up", **keys) == 1)
    assert exporter.value("slogen_check_pid", **keys) != first_pid


def test_serves_errors_while_the_database_is_away_and_recovers(
    pg_database: ScratchDatabase,
    start_exporter,  # type: ignore[no-untyped-def]
) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432))
    url = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/{pg_database.name}"
    config = make_config(
        {"pg": url},
        [
            {
                "name": "nodes",
                "database": "pg",
                "every": "200ms",
                "timeout": "200ms",
                "sql": "SELECT count(*) AS value FROM lineage_nodes",
            }
        ],
    )
    keys = {"service": "t", "check": "nodes"}
    exporter = start_exporter(config)  # the database is unreachable from the start

    def errors() -> float:
        return exporter.value("slogen_check_query_errors_total", **keys, reason="connection") or 0

    try:
        exporter.wait_for(lambda: errors() >= 2)
        assert exporter.value("slogen_check_up", **keys) == 0
        assert exporter.value("slogen_check_nodes", **keys) is None
        proxy.up()
        exporter.wait_for(lambda: exporter.value("slogen_check_nodes", **keys) == 3)
        proxy.down()
        before = errors()
        exporter.wait_for(lambda: errors() > before)
        assert exporter.value("slogen_check_up", **keys) == 0
        proxy.up()
        exporter.wait_for(lambda: exporter.value("slogen_check_up", **keys) == 1)
    finally:
        proxy.down()
