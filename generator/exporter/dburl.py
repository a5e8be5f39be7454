"""Database URLs of the exporter config, parsed without importing any database library.

Accepted forms (SQLAlchemy's spelling, so existing configs keep working):
`postgresql://` or `postgres://` (psycopg), `mysql://` or `mariadb://` (PyMySQL),
`sqlite:///relative.db`, `sqlite:////absolute.db` and `sqlite://` (in memory). A `+driver`
suffix is accepted when it names the driver slogen uses (`postgresql+psycopg`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, unquote, urlsplit


class Backend(StrEnum):
    """The database servers the exporter can query."""

    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    SQLITE = "sqlite"


# Scheme -> backend, and the one `+driver` name each backend accepts.
_SCHEMES = {
    "postgresql": Backend.POSTGRESQL,
    "postgres": Backend.POSTGRESQL,
    "mysql": Backend.MYSQL,
    "mariadb": Backend.MYSQL,
    "sqlite": Backend.SQLITE,
}
_DRIVERS = {Backend.POSTGRESQL: "psycopg", Backend.MYSQL: "pymysql", Backend.SQLITE: "pysqlite"}


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed URL; `database` is the file path for SQLite (None: in memory)."""

    backend: Backend
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    query: tuple[tuple[str, str], ...] = ()

    def safe(self) -> str:
        """The URL for messages: the password replaced by ***."""
        if self.backend is Backend.SQLITE:
            return f"sqlite:///{self.database}" if self.database else "sqlite://"
        user = self.username or ""
        if self.password is not None:
            user += ":***"
        at = "@" if user else ""
        port = f":{self.port}" if self.port is not None else ""
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return (
            f"{self.backend.value}://{user}{at}{self.host or ''}{port}/{self.database or ''}"
            + (f"?{query}" if query else "")
        )


def parse_url(text: str) -> DatabaseUrl:
    """Parse `text`; ValueError with a message that never repeats the URL (it may hold secrets)."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise ValueError("URL has no scheme; expected e.g. postgresql://user@host/db")
    name, _, driver = scheme.lower().partition("+")
    backend = _SCHEMES.get(name)
    if backend is None:
        known = ", ".join(sorted(_SCHEMES))
        raise ValueError(f"unsupported URL scheme {name!r}; known: {known}")
    if driver and driver != _DRIVERS[backend]:
        raise ValueError(
            f"driver {driver!r} is not available for {name}; "
            f"use {name}:// or {name}+{_DRIVERS[backend]}://"
        )
    if backend is Backend.SQLITE:
        return _sqlite(rest)
    return _network(backend, rest)


def _sqlite(rest: str) -> DatabaseUrl:
    path, _, query = rest.partition("?")
    if query:
        raise ValueError("SQLite URLs take no query parameters")
    if path and not path.startswith("/"):
        raise ValueError("SQLite URLs have no host: sqlite:///relative.db or sqlite:////abs.db")
    database = path[1:] or None
    return DatabaseUrl(Backend.SQLITE, database=None if database == ":memory:" else database)


def _network(backend: Backend, rest: str) -> DatabaseUrl:
    parts = urlsplit(f"//{rest}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("URL has an invalid port") from None
    return DatabaseUrl(
        backend,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        host=parts.hostname,
        port=port,
        database=unquote(parts.path.lstrip("/")) or None,
        query=tuple(parse_qsl(parts.query)),
    )
