"""Checks against a real MariaDB, and a compare check across MariaDB and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.exporter.conftest import (
    MARIADB_ADMIN_URL,
    ScratchDatabase,
    admin_query,
    make_config,
)

pytestmark = pytest.mark.database

ORPHANED_EDGES = """
SELECT count(*) AS value FROM lineage_edges e
WHERE NOT EXISTS (SELECT 1 FROM lineage_nodes n WHERE n.node_id = e.source_node_id)
   OR NOT EXISTS (SELECT 1 FROM lineage_nodes n WHERE n.node_id = e.target_node_id)
"""


def test_seed_004_checks_and_labels_on_mariadb(
    maria_database: ScratchDatabase, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"maria": maria_database.url},
        [
            {
                "name": "orphaned-edges",
                "database": "maria",
                "sql": ORPHANED_EDGES,
                "alert": {"above": 0},
            },
            {
                "name": "lineage-rows",
                "database": "maria",
                "labels": ["table"],
                "sql": "SELECT 'lineage_nodes' AS `table`, count(*) AS value FROM lineage_nodes "
                "UNION ALL SELECT 'lineage_edges', count(*) FROM lineage_edges",
            },
        ],
    )
    exporter = start_exporter(config)
    exporter.wait_for(
        lambda: (
            exporter.value(
                "slogen_check_lineage_rows",
                service="t",
                check="lineage-rows",
                table="lineage_edges",
            )
            == 2
        )
    )
    assert (
        exporter.value(
            "slogen_check_lineage_rows", service="t", check="lineage-rows", table="lineage_nodes"
        )
        == 3
    )
    exporter.wait_for(
        lambda: (
            exporter.value("slogen_check_orphaned_edges", service="t", check="orphaned-edges") == 1
        )
    )
    assert exporter.value("slogen_check_failing", service="t", check="orphaned-edges") == 1


def test_writes_and_ddl_are_refused(maria_database: ScratchDatabase, start_exporter) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"maria": maria_database.url},
        [
            {
                "name": "insert",
                "database": "maria",
                "sql": "INSERT INTO lineage_nodes VALUES ('n99', 'x')",
            },
            {"name": "ddl", "database": "maria", "sql": "CREATE TABLE sneaky (a int)"},
        ],
    )
    exporter = start_exporter(config)
    exporter.wait_for(
        lambda: all(
            exporter.errors(name, "read_only") >= 1
            for name in ("insert", "ddl")
        )
    )
    assert admin_query(maria_database.url, "SELECT count(*) FROM lineage_nodes") == [(3,)]
    assert admin_query(maria_database.url, "SHOW TABLES LIKE 'sneaky'") == []


def test_a_slow_query_is_stopped_by_max_statement_time(
    maria_database: ScratchDatabase, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"maria": maria_database.url},
        [
            {
                "name": "slow",
                "database": "maria",
                "timeout": "300ms",
                "sql": "SELECT SLEEP(5) AS value",
            },
        ],
    )
    exporter = start_exporter(config)
    exporter.wait_for(
        lambda: exporter.errors("slow", "timeout") >= 1
    )
    assert (
        exporter.value("slogen_check_query_duration_seconds_sum", service="t", check="slow") or 0
    ) < 2.0


def test_recovers_after_its_connection_is_killed(
    maria_database: ScratchDatabase, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"maria": maria_database.url},
        [
            {
                "name": "conn",
                "database": "maria",
                "every": "2s",
                "timeout": "2s",
                "sql": "SELECT CONNECTION_ID() AS value FROM (SELECT SLEEP(0.5) AS s) AS pause",
            },
        ],
    )
    exporter = start_exporter(config)
    keys = {"service": "t", "check": "conn"}
    exporter.wait_for(lambda: exporter.value("slogen_check_conn", **keys) is not None)
    first = int(exporter.value("slogen_check_conn", **keys) or 0)
    # Kill it while the next run is sleeping inside the query.
    exporter.wait_for(
        lambda: bool(
            admin_query(
                MARIADB_ADMIN_URL,
                (
                    f"SELECT id FROM information_schema.processlist WHERE id = {first} "
                    "AND command = 'Query'"
                ),
            )
        ),
        timeout=5,
    )
    admin_query(MARIADB_ADMIN_URL, f"KILL {first}")
    exporter.wait_for(
        lambda: (
            (exporter.value("slogen_check_query_errors_total", **keys, reason="connection") or 0)
            >= 1
        )
    )
    exporter.wait_for(lambda: exporter.value("slogen_check_up", **keys) == 1)
    assert exporter.value("slogen_check_conn", **keys) != first


def test_compare_across_postgres_and_mariadb(
    maria_database: ScratchDatabase, pg_database: ScratchDatabase, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    edges = "SELECT count(*) AS value FROM lineage_edges"
    nodes = "SELECT count(*) AS value FROM lineage_nodes"
    config = make_config(
        {"pg": pg_database.url, "maria": maria_database.url},
        [
            {
                "name": "nodes-agree",
                "database": "pg",
                "sql": nodes,
                "compare": {"database": "maria", "sql": nodes},
            },
            {
                "name": "edges-agree",
                "database": "pg",
                "sql": edges,
                "compare": {"database": "maria", "sql": edges, "tolerance": 1},
            },
            {
                "name": "edges-close",
                "database": "pg",
                "sql": edges,
                "compare": {"database": "maria", "sql": edges, "tolerance": 2},
            },
        ],
    )
    exporter = start_exporter(config)
    diff = {"edges-agree": 2.0, "edges-close": 2.0, "nodes-agree": 0.0}
    exporter.wait_for(
        lambda: all(
            exporter.value("slogen_check_difference", service="t", check=name) == value
            for name, value in diff.items()
        )
    )
    failing = {
        name: exporter.value("slogen_check_failing", service="t", check=name) for name in diff
    }
    assert failing == {"edges-agree": 1.0, "edges-close": 0.0, "nodes-agree": 0.0}
