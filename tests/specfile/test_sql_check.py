"""Health-check SQL is parsed at spec time: one read-only SELECT returning the declared columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.core.errors import SpecErrors
from generator.specfile.loader import load_specs
from generator.specfile.sql_check import check_query


@pytest.mark.parametrize(("sql", "dialect", "columns"), [
    ("SELECT 1 AS value", "postgres", ["value"]),
    ("select count(*) as value from orders where created_at > now() - interval '1 hour'",
     "postgres", ["value"]),
    ("WITH recent AS (SELECT * FROM t) SELECT count(*) AS value FROM recent", "postgres",
     ["value"]),
    ("SELECT region, count(*) AS value FROM t GROUP BY region", "postgres", ["value", "region"]),
    ('SELECT 1 AS "value";', "postgres", ["value"]),
    ("SELECT 1 AS value UNION ALL SELECT 2", "postgres", ["value"]),
    ("SELECT count(*) FROM t", "postgres", ["value"]),  # the server names it: not judged
    ("SELECT * FROM health", "postgres", ["value"]),
    ("SELECT `lag` AS value FROM replica_status", "mysql", ["value"]),
    ("SELECT 1 AS Value", "mysql", ["value"]),
    ("SELECT 1 AS value", None, ["value"]),
    ("SELECT 1 AS value -- DELETE FROM t", "postgres", ["value"]),
])
def test_read_only_queries_pass(sql: str, dialect: str | None, columns: list[str]) -> None:
    assert check_query(sql, dialect, columns) == []


@pytest.mark.parametrize(("sql", "dialect", "message"), [
    ("DELETE FROM orders", "postgres", "DELETE statement is not a read-only query"),
    ("UPDATE t SET a = 1", "postgres", "UPDATE statement is not a read-only query"),
    ("INSERT INTO t VALUES (1)", "postgres", "INSERT statement is not a read-only query"),
    ("DROP TABLE t", "postgres", "DROP statement is not a read-only query"),
    ("TRUNCATE t", "postgres", "is not a read-only query"),
    ("CREATE TABLE x (a int)", "postgres", "CREATE statement is not a read-only query"),
    ("ALTER TABLE t ADD COLUMN b int", "postgres", "is not a read-only query"),
    ("VACUUM", "postgres", "VACUUM statement is not a read-only query"),
    ("COPY t TO '/tmp/x'", "postgres", "COPY statement is not a read-only query"),
    ("SET ROLE admin", "postgres", "SET statement is not a read-only query"),
    ("GRANT ALL ON t TO public", "postgres", "is not a read-only query"),
    ("CALL refresh()", "postgres", "CALL statement is not a read-only query"),
    ("EXPLAIN ANALYZE DELETE FROM t", "postgres", "EXPLAIN statement is not a read-only query"),
    ("LOCK TABLES t WRITE", "mysql", "LOCK TABLES statement is not a read-only query"),
    ("SELECT 1 AS value; DELETE FROM t", "postgres", "give exactly one statement; found 2"),
    ("SELECT 1 AS value; SELECT 2 AS value", "postgres", "give exactly one statement; found 2"),
    ("BEGIN; SELECT 1 AS value", "postgres", "give exactly one statement; found 2"),
    ("  ;  ", "postgres", "the query is empty"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) AS value FROM d", "postgres",
     "DELETE removes rows inside a WITH clause"),
    ("WITH u AS (UPDATE t SET a = 1 RETURNING a) SELECT a AS value FROM u", "postgres",
     "UPDATE writes rows inside a WITH clause"),
    ("WITH i AS (INSERT INTO t VALUES (1) RETURNING 1) SELECT 1 AS value", "postgres",
     "INSERT writes rows inside a WITH clause"),
    ("SELECT * INTO copy_of_t FROM t", "postgres", "SELECT ... INTO writes a table or file"),
    ("SELECT 1 AS value FROM t FOR UPDATE", "postgres", "FOR UPDATE / FOR SHARE takes row locks"),
    ("SELECT 1 AS value FROM t FOR SHARE", "postgres", "FOR UPDATE / FOR SHARE takes row locks"),
    ("SELECT 1 AS value FROM t LOCK IN SHARE MODE", "mysql", "FOR UPDATE / FOR SHARE"),
    ("SELECT nextval('s') AS value", "postgres", "function nextval() is not allowed"),
    ("SELECT setval('s', 1) AS value", "postgres", "function setval() is not allowed"),
    ("SELECT pg_advisory_lock(1) AS value", "postgres", "function pg_advisory_lock() is not"),
    ("SELECT pg_try_advisory_xact_lock(1) AS value", "postgres", "pg_try_advisory_xact_lock()"),
    ("SELECT lo_import('/etc/passwd') AS value", "postgres", "function lo_import() is not"),
    ("SELECT lo_unlink(1) AS value", "postgres", "function lo_unlink() is not allowed"),
    ("SELECT count(*) AS value FROM dblink('host=x', 'select 1') AS t(a int)", "postgres",
     "function dblink() is not allowed"),
    ("SELECT dblink_exec('host=x', 'delete from t') AS value", "postgres", "dblink_exec()"),
    ("SELECT pg_read_file('/etc/passwd') AS value", "postgres", "pg_read_file() is not"),
    ("SELECT pg_terminate_backend(1) AS value", "postgres", "pg_terminate_backend()"),
    ("SELECT set_config('a.b', 'c', false) AS value", "postgres", "set_config() is not"),
    ("SELECT GET_LOCK('x', 1) AS value", "mysql", "function get_lock() is not allowed"),
    ("SELECT SLEEP(100) AS value", "mysql", "function sleep() is not allowed"),
    ("SELECT LOAD_FILE('/etc/passwd') AS value", "mysql", "function load_file() is not"),
    ("SELECT load_extension('x') AS value", "sqlite", "function load_extension() is not"),
    ("SELECT 1 +", "postgres", "the query does not parse as PostgreSQL SQL near line 1"),
    ("SELEC 1", "postgres", "does not parse as PostgreSQL SQL near line 1, column 7"),
    ("SELECT 1 AS value FROM", "mysql", "does not parse as MySQL SQL"),
    ("SELECT 1 INTO OUTFILE '/tmp/x'", "mysql", "does not parse as MySQL SQL"),
    ("SELECT 2 AS v", "postgres", "the query returns no column 'value' and undeclared column "
                                  "'v'; it must return exactly value"),
    ("SELECT 1 AS value, 2 AS value", "postgres", "the query returns column 'value' twice"),
    ("DELETE FROM t", None, "DELETE statement is not a read-only query"),
])
def test_writing_or_malformed_queries_are_refused(sql: str, dialect: str | None,
                                                  message: str) -> None:
    problems = check_query(sql, dialect, ["value"])
    assert problems, sql
    assert message in problems[0].message


def test_refusals_name_the_sql_line_of_the_spec(tmp_path: Path) -> None:
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    (spec_dir / "_global.yaml").write_text(
        "version: slogen/v1\ndatabases:\n  main: {url: 'mysql://exporter@db/app'}\n"
        "  other: {url: '${OTHER_DB_URL}'}\n", encoding="utf-8")
    (spec_dir / "svc.yaml").write_text(
        "version: slogen/v1\nservice: svc\nteam: t\nhealth_checks:\n"
        "  - name: good\n    database: main\n    sql: SELECT count(*) AS value FROM t\n"
        "  - name: cleanup\n    database: main\n    sql: |\n      DELETE FROM sessions\n"
        "  - name: two\n    database: other\n    sql: SELECT 1 AS value; SELECT 2 AS value\n"
        "  - name: cmp\n    database: main\n    sql: SELECT 1 AS value\n"
        "    compare: {sql: 'SELECT 1 AS value FOR UPDATE'}\n", encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_specs(spec_dir, tmp_path)
    assert [str(e) for e in caught.value.errors] == [
        "slos/svc.yaml:10:10: health_checks[1].sql: DELETE statement is not a read-only query; "
        "a health check runs one SELECT (or WITH ... SELECT)",
        "slos/svc.yaml:14:10: health_checks[2].sql: give exactly one statement; found 2 (remove "
        "the extra statements and any `;` between them)",
        "slos/svc.yaml:18:20: health_checks[3].compare.sql: FOR UPDATE / FOR SHARE takes row "
        "locks; a health check may only read",
    ]
