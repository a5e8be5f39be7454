"""HTTP server that receives Alertmanager webhooks and hands them to a bridge."""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from generator.bridge.issue_text import Notification

LOG = logging.getLogger("slogen.bridge")
MAX_BODY_BYTES = 1024 * 1024


class Bridge(Protocol):
    """Anything that handles one notification."""

    def handle(self, notification: Notification) -> str:
        """Act on the notification; return a short word for the log."""


def make_server(host: str, port: int, bridge: Bridge) -> ThreadingHTTPServer:
    """A server on (host, port) that passes every POSTed payload to `bridge`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            code = 200 if self.path in ("/healthz", "/-/healthy") else 404
            self._reply(code, "ok\n" if code == 200 else "not found\n")

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY_BYTES:
                self._reply(400, "payload missing or too large\n")
                return
            try:
                notification = Notification.from_payload(json.loads(self.rfile.read(length)))
            except (ValueError, UnicodeDecodeError) as exc:
                self._reply(400, f"bad payload: {exc}\n")
                return
            try:
                outcome = bridge.handle(notification)
            except Exception as exc:  # noqa: BLE001 - any failure must become a 5xx so Alertmanager retries
                LOG.error("bridge failed: %s", exc)
                self._reply(502, f"bridge failed: {exc}\n")
                return
            self._reply(200, f"{outcome}\n")

        def _reply(self, code: int, text: str) -> None:
            data = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            LOG.debug(format, *args)

    return ThreadingHTTPServer((host, port), Handler)
