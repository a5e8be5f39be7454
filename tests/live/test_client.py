"""The Prometheus client's requests and errors: auth headers, refusals, non-JSON, timeouts.

Query results are tested against the real Prometheus (test_status, test_gate); what a real
Prometheus cannot show on demand (a proxy demanding auth, a hung server) is played by a tiny
HTTP server on loopback.
"""

from __future__ import annotations

import base64
import datetime
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def _url(srv: _Server, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{srv.server_address[1]}"


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "slogen test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[_Server, Path]]:
    """The recording server behind TLS with a self-signed certificate; yields it and the cert."""
    cert_file, key_file = _self_signed(tmp_path)
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.headers_seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    srv.socket = context.wrap_socket(srv.socket, server_side=True)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv, cert_file
    finally:
        srv.shutdown()
        srv.server_close()


def test_tls_with_the_servers_ca(tls_server: tuple[_Server, Path]) -> None:
    srv, cert = tls_server
    assert PrometheusClient(Settings(_url(srv, "https"), ca_file=str(cert))).query("up", 0) == []


def test_tls_without_a_trusted_ca_fails_with_advice(tls_server: tuple[_Server, Path]) -> None:
    srv, _ = tls_server
    with pytest.raises(PrometheusUnreachable, match="set PROMETHEUS_CA_FILE, or --insecure"):
        PrometheusClient(Settings(_url(srv, "https"))).query("up", 0)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_verification_can_be_skipped(tls_server: tuple[_Server, Path]) -> None:
    srv, _ = tls_server
    assert PrometheusClient(Settings(_url(srv, "https"), insecure=True)).query("up", 0) == []


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
