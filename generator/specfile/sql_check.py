"""SQL of health checks and Grafana SQL alerts, parsed at spec time in the database's dialect.

A health check runs unattended, every minute, with the exporter's credentials: it must be one
read-only query. The exporter also runs it in a read-only transaction, but a spec that would
write is a mistake best caught in review, so this refuses, at the query's line:
- anything but exactly one SELECT (or WITH ... SELECT, UNION, ...) statement;
- data-modifying parts anywhere in it: INSERT/UPDATE/DELETE/MERGE (also in a CTE), DDL,
  SELECT ... INTO, FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE, COPY, SET, transactions;
- functions that write or reach outside: advisory locks, sequences, large objects, dblink,
  server file access, GET_LOCK, ...;
- result columns other than the ones the check declares (`values` and `labels`; the single
  value column of a compare query), when the names are known from the query text.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

# Database URL scheme -> sqlglot dialect (the schemes the exporter accepts).
_DIALECTS = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql",
             "mariadb": "mysql", "sqlite": "sqlite"}
_DIALECT_NAMES = {"postgres": "PostgreSQL", "mysql": "MySQL", "sqlite": "SQLite"}

# Node types that change data or session state, wherever they appear in the tree.
_WRITES = tuple(t for t in (getattr(exp, name, None) for name in (
    "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "AlterTable",
    "TruncateTable", "Command", "Copy", "Into", "Lock", "Transaction", "Commit", "Rollback",
    "Set", "Grant", "Revoke", "LoadData", "Use", "Pragma", "Analyze", "Attach", "Detach",
    "Cache", "Uncache", "Refresh", "Kill", "Execute")) if isinstance(t, type))
_WHAT = {"Into": "SELECT ... INTO writes a table or file", "Lock": "FOR UPDATE / FOR SHARE "
         "takes row locks", "Insert": "INSERT writes rows", "Update": "UPDATE writes rows",
         "Delete": "DELETE removes rows", "Merge": "MERGE writes rows"}

_STATEMENTS = {"TruncateTable": "TRUNCATE", "AlterTable": "ALTER", "LoadData": "LOAD DATA"}

_WRITING_FUNCTIONS = {
    # PostgreSQL
    "nextval", "setval", "pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_unlock",
    "pg_advisory_unlock_all", "pg_advisory_xact_lock", "pg_advisory_xact_lock_shared",
    "pg_try_advisory_lock", "pg_try_advisory_lock_shared", "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared", "pg_advisory_unlock_shared", "dblink", "dblink_exec",
    "dblink_connect", "dblink_send_query", "pg_terminate_backend", "pg_cancel_backend",
    "pg_reload_conf", "pg_rotate_logfile", "set_config", "pg_read_file", "pg_read_binary_file",
    "pg_ls_dir", "pg_stat_file", "pg_notify", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
    "pg_create_restore_point", "pg_switch_wal", "pg_promote", "txid_current",
    "pg_current_xact_id", "query_to_xml", "pg_logical_emit_message",
    # MySQL / MariaDB
    "get_lock", "release_lock", "release_all_locks", "sleep", "benchmark", "load_file",
    "sys_exec", "sys_eval", "master_pos_wait", "source_pos_wait",
    # SQLite
    "load_extension", "writefile", "readfile", "fts3_tokenizer", "edit",
}
_WRITING_PREFIXES = ("lo_", "pg_advisory", "pg_try_advisory", "dblink")


@dataclass(frozen=True)
class SqlProblem:
    """What is wrong with a query; `line` is the line within the query, when known."""

    message: str
    line: int | None = None


def dialect_of(url: str | None) -> str | None:
    """The sqlglot dialect for a database URL; None when it is hidden in `${VAR}`."""
    if not url or "://" not in url:
        return None
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    return _DIALECTS.get(scheme)


def check_query(sql: str, dialect: str | None, columns: list[str] | None) -> list[SqlProblem]:
    """Problems of `sql` as a read-only health-check query returning `columns` (if given)."""
    try:
        statements, problem = _parse(sql, dialect)
    except RecursionError:
        return [SqlProblem("the query nests too deeply to be checked; simplify it")]
    if problem is not None:
        return [problem]
    if not statements:
        return [SqlProblem("the query is empty; write one SELECT")]
    if len(statements) != 1:
        return [SqlProblem(f"give exactly one statement; found {len(statements)} (remove the "
                           "extra statements and any `;` between them)")]
    tree = statements[0]
    try:
        problems = _read_only(tree)
    except RecursionError:
        return [SqlProblem("the query nests too deeply to be checked; simplify it")]
    if problems:
        return problems
    if columns is not None:
        problems.extend(_columns(tree, columns))
    return problems


def _parse(sql: str, dialect: str | None) -> tuple[list[exp.Expr], SqlProblem | None]:
    tried = [dialect] if dialect else ["postgres", "mysql", "sqlite"]
    first: SqlProblem | None = None
    for name in tried:
        try:
            with _quiet():
                parsed = sqlglot.parse(sql, read=name)
        except (ParseError, TokenError) as exc:
            first = first or _parse_problem(exc, name, dialect is None)
            continue
        return [tree for tree in parsed if tree is not None], None
    return [], first


def _parse_problem(exc: Exception, dialect: str, guessed: bool) -> SqlProblem:
    detail = getattr(exc, "errors", None) or [{}]
    first = detail[0]
    description = str(first.get("description") or exc).split("\n")[0]
    description = re.sub(r" for <class '[^']*'>", "", description)
    line = first.get("line")
    where = f" near line {line}, column {first.get('col')} of the query" if line else ""
    guess = " (a guess: the database URL is a variable)" if guessed else ""
    return SqlProblem(f"the query does not parse as {_DIALECT_NAMES[dialect]} SQL{guess}{where}: "
                      f"{description}",
                      line if isinstance(line, int) else None)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """sqlglot logs a warning when it falls back to an opaque command; the error says more."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_only(tree: exp.Expr) -> list[SqlProblem]:
    if not isinstance(tree, (exp.Select, exp.SetOperation)):
        kind = _statement_kind(tree)
        return [SqlProblem(f"{kind} is not a read-only query; a health check runs one SELECT "
                           "(or WITH ... SELECT)")]
    for node in tree.walk():
        if isinstance(node, _WRITES):
            name = type(node).__name__
            what = _WHAT.get(name, f"{_statement_kind(node)} changes data or session state")
            inside = " inside a WITH clause" if node.find_ancestor(exp.CTE) else ""
            return [SqlProblem(f"{what}{inside}; a health check may only read")]
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in _WRITING_FUNCTIONS or name.startswith(_WRITING_PREFIXES):
                return [SqlProblem(f"function {name}() is not allowed: it writes, locks, waits "
                                   "or reaches outside the database; a health check may only "
                                   "read")]
    return []


def _statement_kind(node: exp.Expr) -> str:
    if isinstance(node, exp.Command):
        return f"{str(node.this).upper()} statement"
    name = type(node).__name__
    return f"{_STATEMENTS.get(name, name.upper())} statement"


def _columns(tree: exp.Expr, expected: list[str]) -> list[SqlProblem]:
    first = tree
    while isinstance(first, exp.SetOperation):
        first = first.this
    if not isinstance(first, exp.Select):
        return []
    names: list[str] = []
    for projection in first.expressions:
        if isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)):
            return []  # the names come from the table: not known from the text
        if isinstance(projection, exp.Alias):
            ident = projection.args.get("alias")
        elif isinstance(projection, exp.Column):
            ident = projection.this
        else:
            return []  # the server names it (count, count(*), ?column?...)
        if not isinstance(ident, exp.Identifier):
            return []
        names.append(str(ident.this).lower())
    # PostgreSQL folds unquoted names to lower case, MySQL and SQLite match names without
    # regard to case: lower case is the comparable form for all three.
    wanted = {c.lower() for c in expected}
    got = set(names)
    problems = []
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        problems.append(SqlProblem(f"the query returns column {duplicated[0]!r} twice"))
    missing, extra = sorted(wanted - got), sorted(got - wanted)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"no column {', '.join(repr(m) for m in missing)}")
        if extra:
            parts.append(f"undeclared column {', '.join(repr(e) for e in extra)}")
        problems.append(SqlProblem(
            f"the query returns {' and '.join(parts)}; it must return exactly "
            f"{', '.join(sorted(wanted))} (name expressions with AS, declare label columns "
            "in `labels` and value columns in `values`)"))
    return problems
