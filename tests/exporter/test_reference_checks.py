"""The generated reference checks (seeds 002 and 004) on PostgreSQL, and a compare check across
PostgreSQL and MariaDB: scenarios whose SQL belongs to one server, outside the shared contract."""

from __future__ import annotations

import pytest

from generator.exporter.checks import Outcome
from generator.exporter.config import ExporterConfig
from generator.exporter.scheduler import open_databases, run_once
from tests.exporter.conftest import ScratchDatabase, make_config, reference_config

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
