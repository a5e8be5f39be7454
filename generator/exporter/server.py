"""HTTP endpoints /metrics and /healthz; rendered bodies are cached per format and encoding."""

from __future__ import annotations

import gzip
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder, gzip_accepted

from generator.exporter.store import ResultStore

# The process_* and python_* figures change on every read, so a body is rendered again at the
# latest this long after the last render, even when no check result changed. A scrape every
# 15 s always sees fresh figures; only scrapes within the same second share a render.
MAX_AGE_SECONDS = 1.0
# Speed over size: level 6 compresses the exposition to a tenth, about as well as level 9.
GZIP_LEVEL = 6
# Content types differ by requested version and escaping; a few variants cover real scrapers.
_MAX_VARIANTS = 8


@dataclass(frozen=True)
class Reply:
    """A /metrics response body with its content type and whether it is gzip-encoded."""

    body: bytes
    content_type: str
    gzipped: bool


class ExpositionCache:
    """Exposition of `registry`, rendered again when the store's version moves or it ages."""

    def __init__(
        self,
        registry: CollectorRegistry,
        store: ResultStore,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry = registry
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self._version = -1
        self._rendered_at = 0.0
        self._replies: dict[tuple[str, bool], Reply] = {}

    def reply(self, accept: str | None, accept_encoding: str | None) -> Reply:
        """The body the scraper asked for: OpenMetrics or text format, gzip if it accepts it."""
        encoder, content_type = choose_encoder(accept or "")
        gzipped = gzip_accepted(accept_encoding or "")
        version, now = self._store.version, self._clock()
        with self._lock:
            if version != self._version or now - self._rendered_at >= MAX_AGE_SECONDS:
                self._replies.clear()
                self._version, self._rendered_at = version, now
            key = (content_type, gzipped)
            cached = self._replies.get(key)
            if cached is None:
                body = self._plain(content_type, encoder)
                if gzipped:
                    body = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
                if len(self._replies) >= _MAX_VARIANTS:
                    self._replies.clear()
                cached = self._replies[key] = Reply(body, content_type, gzipped)
            return cached

    def _plain(self, content_type: str, encoder: Callable[[CollectorRegistry], bytes]) -> bytes:
        # The gzip variant compresses the cached plain body, so both show the same render.
        plain = self._replies.get((content_type, False))
        if plain is not None:
            return plain.body
        body = encoder(self._registry)
        self._replies[(content_type, False)] = Reply(body, content_type, False)
        return body


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
    return _Server((host, port), _handler(cache.reply))


def _handler(render: Callable[[str | None, str | None], Reply]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Serves /metrics from the cache and /healthz; nothing else."""

        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the body waits for a delayed ACK.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                reply = render(self.headers.get("Accept"), self.headers.get("Accept-Encoding"))
                headers = {"Vary": "Accept, Accept-Encoding"}
                if reply.gzipped:
                    headers["Content-Encoding"] = "gzip"
                self._reply(200, reply.content_type, reply.body, headers)
            elif path == "/healthz":
                self._reply(200, "text/plain; charset=utf-8", b"ok\n")
            else:
                self._reply(404, "text/plain; charset=utf-8", b"not found; try /metrics\n")

        def _reply(
            self,
            status: int,
            content_type: str,
            payload: bytes,
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Scrapes are not worth a log line each."""

    return Handler
