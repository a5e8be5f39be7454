"""A bounded connection pool: at most `size` connections, checked before reuse, renewed hourly."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

# Servers and proxies drop idle connections after hours; renewing them hourly stays ahead.
RECYCLE_SECONDS = 3600.0


class PoolExhausted(Exception):
    """Every connection stayed in use for the whole wait."""


class Pool:
    """Hands out DB-API connections to one thread at a time; safe to share between threads."""

    def __init__(
        self,
        connect: Callable[[], Any],
        ping: Callable[[Any], None],
        size: int,
        wait: float,
    ) -> None:
        self._connect = connect
        self._ping = ping
        self._wait = wait
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[tuple[Any, float]] = []
        self._opened: dict[int, float] = {}
        self._closed = False

    def acquire(self) -> Any:
        """A working connection; PoolExhausted after the wait, or the driver's connect error."""
        if not self._slots.acquire(timeout=self._wait):
            raise PoolExhausted
        try:
            return self._reuse() or self._open()
        except BaseException:
            self._slots.release()
            raise

    def release(self, conn: Any, broken: bool) -> None:
        """Give `conn` back; a broken one (or any after dispose) is closed instead."""
        with self._lock:
            keep = not broken and not self._closed
            if keep:
                self._idle.append((conn, self._opened.get(id(conn), time.monotonic())))
            else:
                self._opened.pop(id(conn), None)
        if not keep:
            _close(conn)
        self._slots.release()

    def dispose(self) -> None:
        """Close the idle connections; connections in use are closed when released."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            _close(conn)

    def _reuse(self) -> Any:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn, opened = self._idle.pop()
            if time.monotonic() - opened < RECYCLE_SECONDS:
                try:
                    # A server restart or a proxy timeout leaves dead sockets in the pool;
                    # one round trip finds them before a check fails on one.
                    self._ping(conn)
                    return conn
                except Exception:  # noqa: BLE001 - any failure means: open a new one
                    pass
            with self._lock:
                self._opened.pop(id(conn), None)
            _close(conn)

    def _open(self) -> Any:
        conn = self._connect()
        with self._lock:
            self._opened[id(conn)] = time.monotonic()
        return conn


def _close(conn: Any) -> None:
    # Closing a connection the server already dropped may raise; it is gone either way.
    with contextlib.suppress(Exception):
        conn.close()
