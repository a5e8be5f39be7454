"""HTTP endpoints /metrics and /healthz; the exposition is re-rendered only when results change."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from generator.exporter.store import ResultStore


class ExpositionCache:
    """The text exposition of `registry`, rendered again only when the store's version moves."""

    def __init__(self, registry: CollectorRegistry, store: ResultStore) -> None:
        self._registry = registry
        self._store = store
        self._lock = threading.Lock()
        self._version = -1
        self._body = b""

    def body(self) -> bytes:
        """Current exposition bytes."""
        version = self._store.version
        with self._lock:
            if version != self._version:
                self._body = generate_latest(self._registry)
                self._version = version
            return self._body


class _Server(ThreadingHTTPServer):
    """Threaded server that keeps quiet about scrapers hanging up."""

    daemon_threads = True
    # Twenty scrapers connecting at once overflow the default backlog of 5 and wait a second.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        """A scraper closing its connection mid-reply is normal; anything else is still shown."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def make_server(host: str, port: int, cache: ExpositionCache) -> ThreadingHTTPServer:
    """A threaded HTTP/1.1 server (keep-alive) bound to host:port; call serve_forever()."""
    return _Server((host, port), _handler(cache.body))


def _handler(body: Callable[[], bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Serves /metrics from the cache and /healthz; nothing else."""

        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the body waits for a delayed ACK.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._reply(200, CONTENT_TYPE_LATEST, body())
            elif path == "/healthz":
                self._reply(200, "text/plain; charset=utf-8", b"ok\n")
            else:
                self._reply(404, "text/plain; charset=utf-8", b"not found; try /metrics\n")

        def _reply(self, status: int, content_type: str, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Scrapes are not worth a log line each."""

    return Handler
