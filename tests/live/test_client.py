"""The Prometheus client's requests and errors: auth headers, refusals, non-JSON, timeouts.

Query results are tested against the real Prometheus (test_status, test_gate); what a real
Prometheus cannot show on demand (a proxy demanding auth, a hung server) is played by a tiny
HTTP server on loopback.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator.live.client import PrometheusClient, PrometheusError, PrometheusUnreachable, Settings

OK_BODY = b'{"status":"success","data":{"resultType":"vector","result":[]}}'


class _Server(ThreadingHTTPServer):
    status: int = 200
    body: bytes = OK_BODY
    delay: float = 0.0
    headers_seen: list[dict[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.server.headers_seen.append(dict(self.headers))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.headers_seen = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def _url(srv: _Server) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}"


def test_bearer_token_is_sent_and_not_shown(server: _Server) -> None:
    settings = Settings(_url(server), token="s3cret")
    PrometheusClient(settings).query("up", 0)
    assert server.headers_seen[0]["Authorization"] == "Bearer s3cret"
    assert "s3cret" not in repr(settings)


def test_basic_auth_is_sent(server: _Server) -> None:
    PrometheusClient(Settings(_url(server), username="ops", password="pw")).query("up", 0)
    expected = "Basic " + base64.b64encode(b"ops:pw").decode()
    assert server.headers_seen[0]["Authorization"] == expected


def test_refusal_names_the_settings_to_check(server: _Server) -> None:
    server.status, server.body = 401, b"unauthorized"
    with pytest.raises(
        PrometheusError, match="refused the request \\(401\\): check PROMETHEUS_TOKEN"
    ):
        PrometheusClient(Settings(_url(server), token="wrong")).query("up", 0)


def test_non_json_answer_is_explained(server: _Server) -> None:
    server.body = b"<html>Grafana</html>"
    with pytest.raises(PrometheusError, match="non-JSON \\(is this a Prometheus API URL\\?\\)"):
        PrometheusClient(Settings(_url(server))).query("up", 0)


def test_slow_answer_times_out(server: _Server) -> None:
    server.delay = 1.0
    with pytest.raises(PrometheusUnreachable, match="did not answer within 0.2s \\(query 'up'\\)"):
        PrometheusClient(Settings(_url(server), timeout=0.2)).query("up", 0)


@pytest.mark.e2e
@pytest.mark.promtool
def test_rejected_query_carries_prometheus_message(prometheus_url: str) -> None:
    with pytest.raises(PrometheusError, match=r"query 'sum\(' failed \(400\): .*parse error"):
        PrometheusClient(Settings(prometheus_url)).query("sum(", 0)
