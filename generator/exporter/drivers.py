"""One small adapter per database driver: connect, make a statement read-only and time-limited.

Each driver module is imported only when a URL of its kind is first used, so an exporter
reading PostgreSQL never loads PyMySQL and the reverse (each costs megabytes of memory).
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from generator.exporter.dburl import Backend, DatabaseUrl

APPLICATION_NAME = "slogen-exporter"
CONNECT_TIMEOUT_SECONDS = 5
# Server-side timeouts fire first; the client-side cancel is a backstop for servers ignoring them.
CLIENT_GRACE_SECONDS = 2.0
# Options passed through from a MySQL URL's query string; anything else is a config error.
_MYSQL_QUERY_OPTIONS = frozenset({"charset", "unix_socket", "ssl_ca", "ssl_cert", "ssl_key"})
_PACKAGES = {Backend.POSTGRESQL: "psycopg", Backend.MYSQL: "pymysql", Backend.SQLITE: "sqlite3"}


class DriverMissing(Exception):
    """The Python package for a backend is not installed."""


class Driver(Protocol):
    """What the pool and the query runner need from a driver."""

    error: type[Exception]
    pooled: bool
    client_grace: float

    def connect(self, url: DatabaseUrl, max_timeout: float) -> Any:
        """A new DB-API connection, read-only for its whole session where the server allows."""

    def prepare(self, cursor: Any, conn: Any, timeout: float) -> None:
        """Make the next statement read-only and limited to `timeout` seconds on the server."""

    def ping(self, conn: Any) -> None:
        """Raise `error` if the pooled connection no longer works."""

    def broken(self, conn: Any) -> bool:
        """True when the connection cannot be used again (lost, killed, closed)."""


def driver_for(backend: Backend) -> Driver:
    """The adapter for `backend`, importing its driver package; DriverMissing if absent."""
    package = _PACKAGES[backend]
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise DriverMissing(
            f"{backend.value} URLs need the {package} package: pip install 'slogen[exporter]'"
        ) from None
    adapters: dict[Backend, type[Any]] = {
        Backend.POSTGRESQL: _Postgres,
        Backend.MYSQL: _MySql,
        Backend.SQLITE: _Sqlite,
    }
    driver: Driver = adapters[backend](module)
    return driver


class _Postgres:
    """psycopg 3; read-only session via `default_transaction_read_only`."""

    pooled = True
    client_grace = CLIENT_GRACE_SECONDS

    def __init__(self, module: Any) -> None:
        self._psycopg = module
        self.error: type[Exception] = module.Error

    def connect(self, url: DatabaseUrl, max_timeout: float) -> Any:
        query = dict(url.query)
        # Session-wide read-only as well, so a COMMIT inside the query cannot escape it.
        options = " ".join(filter(None, [query.pop("options", ""),
                                          "-c default_transaction_read_only=on"]))
        args: dict[str, Any] = {
            "host": url.host,
            "port": url.port,
            "user": url.username,
            "password": url.password,
            "dbname": url.database,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": APPLICATION_NAME,
            **query,
            "options": options,
        }
        return self._psycopg.connect(**{k: v for k, v in args.items() if v is not None})

    def prepare(self, cursor: Any, conn: Any, timeout: float) -> None:
        cursor.execute("SET TRANSACTION READ ONLY")
        cursor.execute(f"SET LOCAL statement_timeout = {_millis(timeout)}")

    def ping(self, conn: Any) -> None:
        conn.execute("SELECT 1")
        conn.rollback()

    def broken(self, conn: Any) -> bool:
        return bool(conn.broken or conn.closed)


class _MySql:
    """PyMySQL for MySQL and MariaDB; read-only session via `init_command`."""

    pooled = True
    client_grace = CLIENT_GRACE_SECONDS

    def __init__(self, module: Any) -> None:
        self._pymysql = module
        self.error: type[Exception] = module.Error

    def connect(self, url: DatabaseUrl, max_timeout: float) -> Any:
        query = dict(url.query)
        unknown = sorted(set(query) - _MYSQL_QUERY_OPTIONS)
        if unknown:
            raise ValueError(
                f"unknown MySQL URL options {', '.join(unknown)}; "
                f"known: {', '.join(sorted(_MYSQL_QUERY_OPTIONS))}"
            )
        args: dict[str, Any] = {
            "host": url.host or "localhost",
            "port": url.port or 3306,
            "user": url.username,
            "password": url.password or "",
            "database": url.database,
            "charset": "utf8mb4",
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            # A read timeout frees the thread even if the server ignores its statement timeout.
            "read_timeout": int(max_timeout + CLIENT_GRACE_SECONDS + 1),
            # Session-wide read-only: DDL commits implicitly and would escape a read-only
            # transaction.
            "init_command": "SET SESSION TRANSACTION READ ONLY",
            **query,
        }
        return self._pymysql.connect(**args)

    def prepare(self, cursor: Any, conn: Any, timeout: float) -> None:
        if "mariadb" in conn.get_server_info().lower():
            cursor.execute(f"SET SESSION max_statement_time = {_millis(timeout) / 1000:.3f}")
        else:
            cursor.execute(f"SET SESSION max_execution_time = {_millis(timeout)}")

    def ping(self, conn: Any) -> None:
        conn.ping(reconnect=False)

    def broken(self, conn: Any) -> bool:
        return not conn.open


class _Sqlite:
    """The standard library's sqlite3; a connection per query (opening one is as cheap)."""

    # Pooled SQLite connections are tied to the thread that opened them; checks run in many.
    pooled = False
    client_grace = 0.0

    def __init__(self, module: Any) -> None:
        self._sqlite3 = module
        self.error: type[Exception] = module.Error

    def connect(self, url: DatabaseUrl, max_timeout: float) -> Any:
        # check_same_thread off: the watchdog thread calls interrupt() on a running query.
        return self._sqlite3.connect(url.database or ":memory:", check_same_thread=False)

    def prepare(self, cursor: Any, conn: Any, timeout: float) -> None:
        cursor.execute("PRAGMA query_only = ON")

    def ping(self, conn: Any) -> None:
        """Never pooled, so never pinged."""

    def broken(self, conn: Any) -> bool:
        return False


def cancel(conn: Any) -> None:
    """Client-side cancel: sqlite3 interrupts, psycopg sends a cancel request; PyMySQL has none
    (its read timeout ends the wait instead)."""
    for method in ("interrupt", "cancel_safe", "cancel"):
        func = getattr(conn, method, None)
        if callable(func):
            func()
            return


def _millis(seconds: float) -> int:
    return max(1, int(seconds * 1000))
