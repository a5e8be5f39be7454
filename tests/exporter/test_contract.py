"""The exporter's contract, held by every backend: SQLite, PostgreSQL and MariaDB (real servers).

Each scenario runs once per backend; what differs between backends (the SQL that sleeps, the
statements that must be refused, how a session is killed) lives in the BACKENDS table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest

from generator.exporter.checks import Outcome, run_check
from generator.exporter.config import ExporterConfig
from generator.exporter.database import Reason
from generator.exporter.scheduler import open_databases, run_once
from tests.exporter.conftest import (
    MARIADB_PORT,
    PG_PORT,
    ScratchDatabase,
    make_config,
    maria_admin_query,
    maria_scratch,
    pg_admin_query,
    pg_scratch,
)
from tests.exporter.tcp_proxy import TcpProxy

pytestmark = pytest.mark.database

# The same two rows on every backend: k is a label column, v a value.
SEED = "CREATE TABLE t (k varchar(16), v real); INSERT INTO t VALUES ('a', 1), ('b', 5)"


@dataclass(frozen=True)
class Backend:
    """How the shared scenarios speak to one kind of database."""

    id: str
    scratch: Callable[[Path], AbstractContextManager[ScratchDatabase]]
    admin: Callable[[ScratchDatabase, str], list[tuple[Any, ...]]]
    slow_sql: str  # runs for seconds (or forever) unless the exporter stops it
    writes: tuple[str, ...]  # statements the read-only guard must refuse
    tables_sql: str  # lists the tables of the scratch database
    # Server backends only: a query returning its own session id while it pauses for 0.5 s,
    # whether a session is executing, how to end it, and the server's port (for the proxy).
    session_sql: str = ""
    busy: Callable[[int], bool] | None = None
    kill: Callable[[int], None] | None = None
    port: int = 0


@contextmanager
def _sqlite_scratch(tmp: Path) -> Iterator[ScratchDatabase]:
    path = tmp / "contract.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SEED + ";")
    yield ScratchDatabase(path.name, f"sqlite:///{path}")


def _sqlite_admin(db: ScratchDatabase, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
        return list(conn.execute(sql).fetchall())


def _pg_admin(db: ScratchDatabase, sql: str) -> list[tuple[Any, ...]]:
    return pg_admin_query(sql, db.name)


def _maria_admin(db: ScratchDatabase, sql: str) -> list[tuple[Any, ...]]:
    return maria_admin_query(sql.replace("{db}", db.name), db.name)


BACKENDS = {
    "sqlite": Backend(
        id="sqlite",
        scratch=_sqlite_scratch,
        admin=_sqlite_admin,
        slow_sql="WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) "
        "SELECT count(*) AS value FROM r",
        writes=("INSERT INTO t VALUES ('c', 3)", "CREATE TABLE sneaky (a int)"),
        tables_sql="SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    ),
    "postgresql": Backend(
        id="postgresql",
        scratch=lambda _: pg_scratch(SEED),
        admin=_pg_admin,
        slow_sql="SELECT 1 AS value FROM pg_sleep(5)",
        writes=(
            "INSERT INTO t VALUES ('c', 3) RETURNING 1 AS value",
            # A COMMIT ends the read-only transaction; the session default still holds.
            "COMMIT; INSERT INTO t VALUES ('d', 4) RETURNING 1 AS value",
            "CREATE TABLE sneaky (a int)",
        ),
        tables_sql="SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        session_sql="SELECT pg_backend_pid() AS value FROM pg_sleep(0.5)",
        busy=lambda pid: bool(pg_admin_query(
            f"SELECT 1 FROM pg_stat_activity WHERE pid = {pid} AND state = 'active'")),
        kill=lambda pid: pg_admin_query(f"SELECT pg_terminate_backend({pid})") and None,
        port=PG_PORT,
    ),
    "mariadb": Backend(
        id="mariadb",
        scratch=lambda _: maria_scratch(SEED),
        admin=_maria_admin,
        slow_sql="SELECT SLEEP(5) AS value",
        # DDL commits implicitly: only the session-wide read-only mode stops it.
        writes=("INSERT INTO t VALUES ('c', 3)", "CREATE TABLE sneaky (a int)"),
        tables_sql="SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = '{db}' ORDER BY 1",
        session_sql="SELECT CONNECTION_ID() AS value FROM (SELECT SLEEP(0.5) AS s) AS pause",
        busy=lambda cid: bool(maria_admin_query(
            f"SELECT 1 FROM information_schema.processlist WHERE id = {cid} "
            "AND command = 'Query'")),
        kill=lambda cid: maria_admin_query(f"KILL {cid}") and None,
        port=MARIADB_PORT,
    ),
}
SERVERS = [name for name, backend in BACKENDS.items() if backend.kill is not None]


@dataclass(frozen=True)
class Served:
    """A scratch database of one backend, seeded with SEED."""

    backend: Backend
    db: ScratchDatabase

    @property
    def url(self) -> str:
        """The URL the exporter config names."""
        return self.db.url

    def admin(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of `sql` run with full rights on the scratch database's server."""
        return self.backend.admin(self.db, sql)


@pytest.fixture(scope="module")
def _scratch_databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], Served]]:
    """One scratch database per backend for the module, created on first use."""
    made: dict[str, Served] = {}
    exits: list[AbstractContextManager[ScratchDatabase]] = []

    def get(name: str) -> Served:
        if name not in made:
            backend = BACKENDS[name]
            manager = backend.scratch(tmp_path_factory.mktemp(name))
            made[name] = Served(backend, manager.__enter__())
            exits.append(manager)
        return made[name]

    yield get
    for manager in reversed(exits):
        manager.__exit__(None, None, None)


@pytest.fixture(params=list(BACKENDS))
def served(request: pytest.FixtureRequest, _scratch_databases: Callable[[str], Served]) -> Served:
    """Each backend in turn."""
    return _scratch_databases(request.param)


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, _scratch_databases: Callable[[str], Served]) -> Served:
    """Each backend that is a server (sessions to kill, a port to cut) in turn."""
    return _scratch_databases(request.param)


def _run_one(config: ExporterConfig, env: dict[str, str] | None = None) -> Outcome:
    dbs = open_databases(config, env or {})
    try:
        return run_check(config.checks[0], dbs)
    finally:
        dbs.dispose()


def test_rows_become_labelled_samples_and_the_alert_judges_them(
    served: Served, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"db": served.url},
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
    served: Served, sql: str, labels: list[str], message: str
) -> None:
    config = make_config(
        {"db": served.url}, [{"name": "c", "database": "db", "sql": sql, "labels": labels}]
    )
    outcome = _run_one(config)
    assert outcome.error is not None and outcome.error.reason is Reason.SHAPE
    assert outcome.error.message == message
    assert outcome.failing and not outcome.samples


def test_writes_and_ddl_are_refused(served: Served, start_exporter) -> None:  # type: ignore[no-untyped-def]
    names = [f"write{i}" for i in range(len(served.backend.writes))]
    config = make_config(
        {"db": served.url},
        [{"name": n, "database": "db", "sql": sql}
         for n, sql in zip(names, served.backend.writes, strict=True)],
    )
    tables = served.admin(served.backend.tables_sql)
    exporter = start_exporter(config)
    exporter.wait_for(lambda: all(exporter.errors(n, Reason.READ_ONLY.value) >= 1 for n in names))
    for name in names:
        assert exporter.value("slogen_check_up", service="t", check=name) == 0
    assert served.admin("SELECT count(*) FROM t") == [(2,)]
    assert served.admin(served.backend.tables_sql) == tables


def test_a_slow_query_hits_its_timeout_without_stalling_the_others(
    served: Served, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    config = make_config(
        {"db": served.url},
        [
            {"name": "slow", "database": "db", "timeout": "300ms",
             "sql": served.backend.slow_sql},
            {"name": "quick", "database": "db", "every": "100ms", "timeout": "100ms",
             "sql": "SELECT count(*) AS value FROM t"},
        ],
    )
    exporter = start_exporter(config)
    exporter.wait_for(lambda: exporter.errors("slow", Reason.TIMEOUT.value) >= 1)
    duration = {
        field: exporter.value(f"slogen_check_query_duration_seconds_{field}", service="t",
                              check="slow") or 0
        for field in ("count", "sum")
    }
    assert duration["count"] == 1 and 0.25 < duration["sum"] < 2.0, duration
    quick_runs = exporter.value(
        "slogen_check_query_duration_seconds_count", service="t", check="quick")
    assert (quick_runs or 0) >= 3
    assert exporter.value("slogen_check_quick", service="t", check="quick") == 2


def test_checks_from_many_threads_share_a_small_pool(served: Served) -> None:
    config = make_config(
        {"db": served.url},
        [{"name": f"c{i}", "database": "db", "sql": f"SELECT count(*) + {i} AS value FROM t"}
         for i in range(6)],
    )
    config = replace(config, databases={"db": replace(config.databases["db"], pool_size=2)})
    dbs = open_databases(config, {})
    try:
        outcomes = run_once(config.checks, dbs, workers=6)
    finally:
        dbs.dispose()
    assert [o.error for o in outcomes.values()] == [None] * 6
    assert [o.samples[0].value for o in outcomes.values()] == [2, 3, 4, 5, 6, 7]


def test_recovers_after_its_session_is_killed_mid_query(
    server: Served, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    backend = server.backend
    assert backend.busy is not None and backend.kill is not None
    config = make_config(
        {"db": server.url},
        [{"name": "session", "database": "db", "every": "2s", "timeout": "2s",
          "sql": backend.session_sql}],
    )
    exporter = start_exporter(config)
    keys = {"service": "t", "check": "session"}
    exporter.wait_for(lambda: exporter.value("slogen_check_session", **keys) is not None)
    first = int(exporter.value("slogen_check_session", **keys) or 0)
    # The pool hands the same session to the next run: wait until it is inside the pause.
    busy, kill = backend.busy, backend.kill
    exporter.wait_for(lambda: busy(first), timeout=5)
    kill(first)
    exporter.wait_for(lambda: exporter.errors("session", Reason.CONNECTION.value) >= 1)
    exporter.wait_for(lambda: exporter.value("slogen_check_up", **keys) == 1)
    assert exporter.value("slogen_check_session", **keys) != first


def test_serves_errors_while_the_database_is_away_and_recovers(
    server: Served, start_exporter
) -> None:  # type: ignore[no-untyped-def]
    proxy = TcpProxy(("127.0.0.1", server.backend.port))
    url = server.url.replace(f":{server.backend.port}/", f":{proxy.port}/")
    config = make_config(
        {"db": url},
        [{"name": "rows", "database": "db", "every": "200ms", "timeout": "200ms",
          "sql": "SELECT count(*) AS value FROM t"}],
    )
    keys = {"service": "t", "check": "rows"}
    exporter = start_exporter(config)  # the database is unreachable from the start

    def errors() -> float:
        return exporter.errors("rows", Reason.CONNECTION.value)

    try:
        exporter.wait_for(lambda: errors() >= 2)
        assert exporter.value("slogen_check_up", **keys) == 0
        assert exporter.value("slogen_check_rows", **keys) is None
        proxy.up()
        exporter.wait_for(lambda: exporter.value("slogen_check_rows", **keys) == 2)
        proxy.down()
        before = errors()
        exporter.wait_for(lambda: errors() > before)
        assert exporter.value("slogen_check_up", **keys) == 0
        proxy.up()
        exporter.wait_for(lambda: exporter.value("slogen_check_up", **keys) == 1)
    finally:
        proxy.down()


@pytest.mark.parametrize(
    "backend, scheme",
    [
        pytest.param("postgresql", "postgresql", id="postgresql:// is psycopg"),
        pytest.param("postgresql", "postgres", id="postgres:// is psycopg"),
        pytest.param("postgresql", "postgresql+psycopg", id="postgresql+psycopg:// still works"),
        pytest.param("mariadb", "mysql", id="mysql:// is PyMySQL"),
        pytest.param("mariadb", "mariadb", id="mariadb:// is PyMySQL"),
        pytest.param("mariadb", "mysql+pymysql", id="mysql+pymysql:// still works"),
        pytest.param("sqlite", "sqlite+pysqlite", id="sqlite+pysqlite:// still works"),
    ],
)
def test_url_schemes_map_to_the_installed_driver(
    backend: str, scheme: str, _scratch_databases: Callable[[str], Served]
) -> None:
    db = _scratch_databases(backend)
    url = scheme + db.url[db.url.index("://"):]
    config = make_config({"db": url}, [{"name": "c", "database": "db",
                                        "sql": "SELECT count(*) AS value FROM t"}])
    outcome = _run_one(config)
    assert outcome.error is None and outcome.samples[0].value == 2
