"""/metrics over real HTTP: gzip if accepted, OpenMetrics if asked, process and Python metrics."""

from __future__ import annotations

import gzip
import http.client
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_text

from generator.exporter.collector import HealthCheckCollector, register_standard_collectors
from generator.exporter.server import ExpositionCache, make_server
from generator.exporter.store import ResultStore
from tests.exporter.conftest import make_config

# What Prometheus 2.x and 3.x send (scrape_protocols default), and a plain curl.
PROMETHEUS_ACCEPT = (
    "application/openmetrics-text;version=1.0.0;q=0.5,"
    "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
)
TEXT_ACCEPT = "text/plain;version=0.0.4;q=1,*/*;q=0.1"
STANDARD_SERIES = (
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_open_fds",
    "process_start_time_seconds",
    "python_info",
    "python_gc_objects_collected_total",
)


@dataclass(frozen=True)
class Scrape:
    """One /metrics response."""

    status: int
    headers: dict[str, str]
    raw: bytes

    @property
    def text(self) -> str:
        """The body, gunzipped when it came gzip-encoded."""
        if self.headers.get("content-encoding") == "gzip":
            return gzip.decompress(self.raw).decode()
        return self.raw.decode()


@pytest.fixture
def scrape() -> Iterator[object]:
    """A served exporter (one check, no database run) and a function that scrapes it."""
    config = make_config({"db": "sqlite://"}, [{"name": "c", "database": "db", "sql": "SELECT 1"}])
    store = ResultStore(c.id for c in config.checks)
    registry = CollectorRegistry()
    registry.register(HealthCheckCollector(config.checks, store))
    register_standard_collectors(registry)
    server = make_server("127.0.0.1", 0, ExpositionCache(registry, store))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    port = server.server_address[1]

    def get(headers: dict[str, str]) -> Scrape:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/metrics", headers=headers)
            reply = conn.getresponse()
            return Scrape(reply.status, {k.lower(): v for k, v in reply.getheaders()},
                          reply.read())
        finally:
            conn.close()

    yield get
    server.shutdown()
    server.server_close()
    thread.join()


def test_gzip_only_when_the_scraper_accepts_it(scrape) -> None:  # type: ignore[no-untyped-def]
    zipped = scrape({"Accept-Encoding": "gzip", "Accept": TEXT_ACCEPT})
    plain = scrape({"Accept": TEXT_ACCEPT})
    assert zipped.status == plain.status == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.raw[:2] == b"\x1f\x8b" and len(zipped.raw) < len(plain.raw) / 3
    assert int(zipped.headers["content-length"]) == len(zipped.raw)
    check_lines = [ln for ln in plain.text.splitlines() if "slogen_check" in ln]
    assert check_lines and all(ln in zipped.text.splitlines() for ln in check_lines)
    assert "Accept-Encoding" in zipped.headers["vary"]


def test_identity_or_unknown_encodings_are_sent_plain(scrape) -> None:  # type: ignore[no-untyped-def]
    for header in ("identity", "br, deflate"):
        reply = scrape({"Accept-Encoding": header})
        assert "content-encoding" not in reply.headers
        assert reply.raw.startswith(b"# HELP")


def test_prometheus_gets_openmetrics_when_it_asks_for_it(scrape) -> None:  # type: ignore[no-untyped-def]
    reply = scrape({"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "gzip"})
    assert reply.headers["content-type"].startswith("application/openmetrics-text; version=1.0.0")
    assert reply.text.endswith("# EOF\n")
    families = {f.name: f for f in parse_om(reply.text)}
    assert families["slogen_check_query_errors"].type == "counter"
    errors = {s.labels["reason"]: s.value for s in families["slogen_check_query_errors"].samples}
    assert errors["timeout"] == 0
    assert families["process_cpu_seconds"].type == "counter"


def test_the_text_format_otherwise(scrape) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"Accept": TEXT_ACCEPT}, {"Accept": "*/*"}):
        reply = scrape(headers)
        assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
        assert "# EOF" not in reply.text
        names = {f.name for f in parse_text(reply.text)}
        assert "slogen_check_query_errors" in names


def test_process_and_python_metrics_are_served(scrape) -> None:  # type: ignore[no-untyped-def]
    text = scrape({"Accept": TEXT_ACCEPT}).text
    samples = {s.name: s.value for f in parse_text(text) for s in f.samples}
    for name in STANDARD_SERIES:
        assert name in samples, name
    assert samples["process_resident_memory_bytes"] > 1_000_000
    assert samples["process_open_fds"] >= 3


def test_a_render_is_shared_for_a_second_then_redone() -> None:
    collects: list[int] = []

    class Counting:
        def collect(self):  # type: ignore[no-untyped-def]
            collects.append(1)
            return []

    now = [100.0]
    registry = CollectorRegistry()
    registry.register(Counting())  # type: ignore[arg-type]
    store = ResultStore([])
    cache = ExpositionCache(registry, store, clock=lambda: now[0])
    cache.reply(None, "gzip")
    cache.reply(None, None)  # the gzip variant compressed the same render
    now[0] += 0.9
    cache.reply(None, None)
    assert len(collects) == 1
    now[0] += 0.2
    cache.reply(None, None)
    assert len(collects) == 2


def test_glibc_takes_the_malloc_arena_limit() -> None:
    # The exporter caps malloc arenas before its threads start (process.py says why).
    from generator.exporter.process import limit_malloc_arenas

    assert limit_malloc_arenas(8) is True  # a limit this test process can live with
