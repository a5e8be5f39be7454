"""Bounded connection pools and read-only, time-limited queries; errors never carry secrets."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from generator.exporter.config import DatabaseConfig
from generator.exporter.dburl import DatabaseUrl, parse_url
from generator.exporter.drivers import Driver, DriverMissing, cancel, driver_for
from generator.exporter.pool import Pool, PoolExhausted

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
    """One lazily opened, bounded connection pool per database; safe to share between threads."""

    def __init__(
        self,
        configs: Mapping[str, DatabaseConfig],
        env: Mapping[str, str],
        max_timeouts: Mapping[str, float],
    ) -> None:
        self._configs = configs
        self._env = env
        self._max_timeouts = max_timeouts
        self._handles: dict[str, _Handle] = {}
        self._secrets: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def fetch(self, name: str, sql: str, timeout: float) -> Rows:
        """Run `sql` read-only on database `name`, cancelled after `timeout` seconds."""
        handle = self._handle(name)
        driver = handle.driver
        try:
            conn = handle.acquire()
        except PoolExhausted:
            raise QueryError(
                Reason.CONNECTION, f"database {name}: connection pool exhausted"
            ) from None
        except (driver.error, OSError) as err:
            raise QueryError(Reason.CONNECTION, self._message(name, err)) from None
        broken = False
        try:
            return _run(driver, conn, sql, timeout)
        except driver.error as err:
            broken = driver.broken(conn)
            raise QueryError(_classify(err, broken), self._message(name, err)) from None
        finally:
            broken = _end_transaction(driver, conn) or broken
            handle.release(conn, broken)

    def dispose(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            for handle in self._handles.values():
                handle.dispose()
            self._handles.clear()

    def _handle(self, name: str) -> _Handle:
        with self._lock:
            handle = self._handles.get(name)
            if handle is None:
                handle = self._handles[name] = self._create(name)
            return handle

    def _create(self, name: str) -> _Handle:
        config = self._configs[name]
        url_text = expand_url(name, config.url, self._env)
        self._secrets[name] = (url_text,)
        try:
            url = parse_url(url_text)
        except ValueError as err:
            raise QueryError(Reason.CONFIG, f"database {name}: {err}") from None
        if url.password:
            self._secrets[name] = (url_text, url.password)
        try:
            driver = driver_for(url.backend)
        except DriverMissing as err:
            raise QueryError(Reason.CONFIG, f"database {name}: {err}") from None
        return _Handle(name, url, driver, config.pool_size, self._max_timeouts.get(name, 30.0))

    def _message(self, name: str, err: BaseException) -> str:
        # The driver's own words, passwords blanked out.
        text = str(err) or type(err).__name__
        return f"database {name}: {_scrub(text, self._secrets.get(name, ()))}"


class _Handle:
    """A database's driver and pool (or, for SQLite, a fresh connection per query)."""

    def __init__(
        self, name: str, url: DatabaseUrl, driver: Driver, size: int, max_timeout: float
    ) -> None:
        self.driver = driver
        self._name = name
        self._url = url
        self._max_timeout = max_timeout
        self._pool = (
            Pool(self._connect, driver.ping, size, max_timeout) if driver.pooled else None
        )

    def acquire(self) -> Any:
        """A connection ready for one query."""
        return self._pool.acquire() if self._pool is not None else self._connect()

    def release(self, conn: Any, broken: bool) -> None:
        """Return `conn` to the pool, or close it."""
        if self._pool is not None:
            self._pool.release(conn, broken)
        else:
            with contextlib.suppress(Exception):
                conn.close()

    def dispose(self) -> None:
        """Close idle connections."""
        if self._pool is not None:
            self._pool.dispose()

    def _connect(self) -> Any:
        try:
            return self.driver.connect(self._url, self._max_timeout)
        except (ValueError, TypeError) as err:
            # Unknown URL options reach the driver as keyword arguments.
            raise QueryError(
                Reason.CONFIG, f"database {self._name}: cannot use {self._url.safe()}: {err}"
            ) from None


def _run(driver: Driver, conn: Any, sql: str, timeout: float) -> Rows:
    cursor = conn.cursor()
    try:
        driver.prepare(cursor, conn, timeout)
        watchdog = threading.Timer(timeout + driver.client_grace, _cancel, args=(conn,))
        watchdog.daemon = True
        watchdog.start()
        try:
            # No parameters: drivers then send the text as is (no %-placeholder parsing).
            cursor.execute(sql)
            description = cursor.description
            columns = tuple(str(d[0]) for d in description) if description else ()
            rows = tuple(tuple(r) for r in cursor.fetchall()) if description else ()
        finally:
            watchdog.cancel()
    finally:
        with contextlib.suppress(Exception):
            cursor.close()
    return Rows(columns, rows)


def _end_transaction(driver: Driver, conn: Any) -> bool:
    """Roll back whatever the query did; True when the connection turned out to be broken."""
    try:
        conn.rollback()
    except Exception:  # noqa: BLE001 - a failed rollback only means the connection is gone
        return True
    return driver.broken(conn)


def _cancel(conn: Any) -> None:
    # A failed cancel must not kill the timer thread; the query then ends on its own.
    with contextlib.suppress(Exception):
        cancel(conn)


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


def _classify(orig: BaseException, broken: bool) -> Reason:
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
    if broken:
        return Reason.CONNECTION
    return Reason.QUERY


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    line = " ".join(text.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 3] + "..."
