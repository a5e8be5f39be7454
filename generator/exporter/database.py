"""Bounded SQLAlchemy engines and read-only, time-limited queries; errors never carry secrets."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from generator.exporter.config import DatabaseConfig

APPLICATION_NAME = "slogen-exporter"
CONNECT_TIMEOUT_SECONDS = 5
# Server-side timeouts fire first; the client-side cancel is a backstop for servers ignoring them.
CLIENT_GRACE_SECONDS = 2.0
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MAX_MESSAGE = 300


class Reason(StrEnum):
    """Why a query failed: the `reason` label of the errors counter."""

    CONFIG = "config"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    READ_ONLY = "read_only"
    SHAPE = "shape"
    QUERY = "query"


class QueryError(Exception):
    """A failed query with a reason and a message safe to log and show."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Rows:
    """A query result: column names and rows."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def expand_url(name: str, raw: str, env: Mapping[str, str]) -> str:
    """Replace `${VAR}` references from `env`; a missing variable is a config error."""
    missing = sorted({m for m in _ENV_REF.findall(raw) if not env.get(m)})
    if missing:
        raise QueryError(
            Reason.CONFIG, f"database {name}: environment variable {', '.join(missing)} is not set"
        )
    return _ENV_REF.sub(lambda m: env[m.group(1)], raw)


class Databases:
    """One lazily created, bounded engine per database; safe to share between threads."""

    def __init__(
        self,
        configs: Mapping[str, DatabaseConfig],
        env: Mapping[str, str],
        max_timeouts: Mapping[str, float],
    ) -> None:
        self._configs = configs
        self._env = env
        self._max_timeouts = max_timeouts
        self._engines: dict[str, Engine] = {}
        self._secrets: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def fetch(self, name: str, sql: str, timeout: float) -> Rows:
        """Run `sql` read-only on database `name`, cancelled after `timeout` seconds."""
        engine = self._engine(name)
        try:
            conn = engine.connect()
        except exc.DBAPIError as err:
            raise QueryError(Reason.CONNECTION, self._message(name, err)) from None
        except exc.TimeoutError:
            raise QueryError(
                Reason.CONNECTION, f"database {name}: connection pool exhausted"
            ) from None
        try:
            with conn:
                return _run(conn, sql, timeout)
        except exc.DBAPIError as err:
            raise QueryError(_classify(err), self._message(name, err)) from None

    def dispose(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def _engine(self, name: str) -> Engine:
        with self._lock:
            engine = self._engines.get(name)
            if engine is None:
                engine = self._engines[name] = self._create(name)
            return engine

    def _create(self, name: str) -> Engine:
        config = self._configs[name]
        url_text = expand_url(name, config.url, self._env)
        try:
            url = make_url(url_text)
        except exc.ArgumentError:
            raise QueryError(
                Reason.CONFIG, f"database {name}: URL is not a valid SQLAlchemy URL"
            ) from None
        self._secrets[name] = tuple(s for s in (url_text, url.password) if s)
        safe = url.render_as_string(hide_password=True)
        try:
            return create_engine(
                url,
                **_engine_args(
                    url.get_backend_name(),
                    config.pool_size,
                    self._max_timeouts.get(name, 30.0),
                    url.query,
                ),
            )
        except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
            raise QueryError(
                Reason.CONFIG,
                f"database {name}: cannot use {safe}: {_scrub(str(err), self._secrets[name])}",
            ) from None

    def _message(self, name: str, err: exc.DBAPIError) -> str:
        # The driver's own words without SQLAlchemy's statement dump, passwords blanked out.
        text = str(err.orig) if err.orig is not None else type(err).__name__
        return f"database {name}: {_scrub(text, self._secrets.get(name, ()))}"


def _engine_args(
    backend: str, pool_size: int, max_timeout: float, query: Mapping[str, Any]
) -> dict[str, Any]:
    if backend == "sqlite":
        # Opening SQLite is as cheap as a pool checkout, and pooled SQLite connections are tied
        # to the thread that opened them; checks run in threads of their own.
        return {"poolclass": NullPool}
    args: dict[str, Any] = {"pool_size": pool_size, "pool_pre_ping": True}
    args |= {"max_overflow": 0, "pool_timeout": max_timeout, "pool_recycle": 3600}
    if backend == "postgresql":
        # Session-wide read-only as well, so a COMMIT inside the query cannot escape it.
        connect: dict[str, Any] = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": "-c default_transaction_read_only=on",
        }
        if "application_name" not in query:
            connect["application_name"] = APPLICATION_NAME
        args["connect_args"] = connect
    elif backend in ("mysql", "mariadb"):
        # A read timeout frees the thread even if the server ignores its statement timeout.
        # Session-wide read-only: DDL commits implicitly and would escape a read-only transaction.
        args["connect_args"] = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "read_timeout": int(max_timeout + CLIENT_GRACE_SECONDS + 1),
            "init_command": "SET SESSION TRANSACTION READ ONLY",
        }
    return args


def _run(conn: Connection, sql: str, timeout: float) -> Rows:
    backend = conn.dialect.name
    _prepare(conn, backend, timeout)
    dbapi_conn = conn.connection.dbapi_connection
    grace = 0.0 if backend == "sqlite" else CLIENT_GRACE_SECONDS
    watchdog = threading.Timer(timeout + grace, _cancel, args=(dbapi_conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        result = conn.execution_options(no_parameters=True).exec_driver_sql(sql)
        columns = tuple(result.keys()) if result.returns_rows else ()
        rows = tuple(tuple(r) for r in result.fetchall()) if result.returns_rows else ()
    finally:
        watchdog.cancel()
        conn.rollback()
    return Rows(columns, rows)


def _prepare(conn: Connection, backend: str, timeout: float) -> None:
    """Make the next statement read-only and limited to `timeout` on the server."""
    millis = max(1, int(timeout * 1000))
    if backend == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {millis}")
    elif backend in ("mysql", "mariadb"):
        if getattr(conn.dialect, "is_mariadb", False):
            conn.exec_driver_sql(f"SET SESSION max_statement_time = {millis / 1000:.3f}")
        else:
            conn.exec_driver_sql(f"SET SESSION max_execution_time = {millis}")
    elif backend == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")


def _cancel(dbapi_conn: Any) -> None:
    """Client-side cancel: sqlite3 interrupts, psycopg sends a cancel request."""
    for method in ("interrupt", "cancel_safe", "cancel"):
        func = getattr(dbapi_conn, method, None)
        if callable(func):
            # A failed cancel must not kill the timer thread; the query then ends on its own.
            with contextlib.suppress(Exception):
                func()
            return


_PG_REASONS = {
    "57014": Reason.TIMEOUT,
    "25006": Reason.READ_ONLY,
    "57P01": Reason.CONNECTION,
    "57P02": Reason.CONNECTION,
    "57P03": Reason.CONNECTION,
}
_MYSQL_REASONS = {
    1969: Reason.TIMEOUT,
    3024: Reason.TIMEOUT,
    1317: Reason.TIMEOUT,
    1792: Reason.READ_ONLY,
    1927: Reason.CONNECTION,
    2002: Reason.CONNECTION,
    2003: Reason.CONNECTION,
    2006: Reason.CONNECTION,
    2013: Reason.CONNECTION,
    2055: Reason.CONNECTION,
    1053: Reason.CONNECTION,
}


def _classify(err: exc.DBAPIError) -> Reason:
    orig = err.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate in _PG_REASONS:
            return _PG_REASONS[sqlstate]
        if sqlstate.startswith("08"):
            return Reason.CONNECTION
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_REASONS:
        return _MYSQL_REASONS[args[0]]
    text = str(orig).lower()
    if "interrupted" in text:
        return Reason.TIMEOUT
    if "readonly" in text or "read-only" in text or "read only" in text:
        return Reason.READ_ONLY
    if err.connection_invalidated:
        return Reason.CONNECTION
    return Reason.QUERY


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    line = " ".join(text.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 3] + "..."
