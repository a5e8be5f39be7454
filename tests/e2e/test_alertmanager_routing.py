"""A real Alertmanager loads the generated config and delivers as the specs declare.

Every receiver is a webhook on a loopback sink (a test-only global file), so what Alertmanager
sends can be read back: grouping by alertname+service, no duplicates for alerts posted twice,
and nothing for alerts that an inhibition rule derived from the specs mutes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from ruamel.yaml import YAML

from generator.targets.alertmanager import config as alertmanager
from tests import processes
from tests.conftest import ROOT
from tests.routing_specs import compile_model

pytestmark = pytest.mark.e2e

GLOBAL = """\
version: slogen/v1
receivers:
  - {name: pager, webhook: {url: "http://127.0.0.1:PORT/pager"}}
  - {name: audit, webhook: {url: "http://127.0.0.1:PORT/audit"}}
  - {name: tickets, webhook: {url: "http://127.0.0.1:PORT/tickets"}}
  - {name: fallback, webhook: {url: "http://127.0.0.1:PORT/fallback"}}
routing:
  receiver: fallback
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  severities:
    critical: {receivers: [pager, audit]}
    warning: {receivers: [tickets]}
"""

CART = """\
version: slogen/v1
service: cart
team: web
alerts:
  - {name: CartDown, expr: 'up{job="cart"}', below: 1, severity: critical,
     labels: {role: service-down}}
  - {name: CartErrors, expr: cart_errors, above: 1, severity: warning}
"""

SHOP = """\
version: slogen/v1
service: shop
team: web
alerts:
  - {name: ShopErrors, expr: shop_errors, above: 1, severity: warning}
  - name: ShopLatency
    expr: shop_latency
    tiers: {critical: {above: 2}, warning: {above: 1}}
"""

# Long enough for Alertmanager to send anything it would wrongly send: several group intervals.
QUIET_SECONDS = 3.0


class Sink:
    """Notifications received, as (receiver path, webhook payload)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[tuple[str, dict[str, Any]]] = []

    def add(self, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._items.append((path.strip("/"), body))

    def items(self) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return list(self._items)

    def firing(self, receiver: str) -> list[list[dict[str, str]]]:
        """Label sets of the firing alerts in each notification `receiver` got."""
        return [[a["labels"] for a in body["alerts"] if a["status"] == "firing"]
                for path, body in self.items() if path == receiver]


@contextmanager
def webhook_sink() -> Iterator[tuple[int, Sink]]:
    """An HTTP server on a free loopback port that records every POSTed JSON body."""
    sink = Sink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            sink.add(self.path, json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _alert(alertname: str, service: str, severity: str, **labels: str) -> dict[str, Any]:
    ends = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    return {"labels": {"alertname": alertname, "service": service, "team": "web",
                       "severity": severity, **labels}, "endsAt": ends}


def _post(url: str, alerts: list[dict[str, Any]]) -> None:
    requests.post(f"{url}/api/v2/alerts", json=alerts, timeout=5).raise_for_status()


def _wait_for(sink: Sink, counts: dict[str, int], timeout: float = 30.0) -> None:
    """Wait until each receiver got at least its count of notifications."""
    deadline = time.monotonic() + timeout
    while any(len(sink.firing(r)) < n for r, n in counts.items()):
        assert time.monotonic() < deadline, f"expected {counts}, got {sink.items()}"
        time.sleep(0.1)


def _names(notification: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return sorted((a["alertname"], a["severity"], a.get("instance", "")) for a in notification)


def test_real_alertmanager_groups_dedups_and_inhibits(tmp_path: Path) -> None:
    with webhook_sink() as (port, sink):
        model = compile_model(tmp_path, GLOBAL.replace("PORT", str(port)),
                              {"cart": CART, "shop": SHOP})
        config = tmp_path / "alertmanager.yml"
        config.write_text(alertmanager.render(model)[alertmanager.CONFIG_PATH], encoding="utf-8")
        with processes.alertmanager(config, tmp_path) as am:
            batch = [
                # Two instances of one alert: one group, one notification holding both.
                _alert("ShopErrors", "shop", "warning", instance="a"),
                _alert("ShopErrors", "shop", "warning", instance="b"),
                # Tiered: the critical tier inhibits the warning tier of the same alert.
                _alert("ShopLatency", "shop", "critical"),
                _alert("ShopLatency", "shop", "warning"),
                # Service down: its symptom is inhibited, whatever its alertname.
                _alert("CartDown", "cart", "critical", role="service-down"),
                _alert("CartErrors", "cart", "warning"),
            ]
            _post(am.url, batch)
            _wait_for(sink, {"pager": 2, "audit": 2, "tickets": 1})
            _post(am.url, batch)  # the same alerts again: nothing new to send
            time.sleep(QUIET_SECONDS)

    assert _names_per_notification(sink, "tickets") == [
        [("ShopErrors", "warning", "a"), ("ShopErrors", "warning", "b")]]
    for receiver in ("pager", "audit"):
        assert sorted(_names_per_notification(sink, receiver)) == [
            [("CartDown", "critical", "")], [("ShopLatency", "critical", "")]]
    assert sink.firing("fallback") == []


def _names_per_notification(sink: Sink, receiver: str) -> list[list[tuple[str, str, str]]]:
    return [_names(n) for n in sink.firing(receiver)]


def test_reference_config_loads_in_a_real_alertmanager(tmp_path: Path) -> None:
    # Secret files are only read when a notification is sent, so the committed config starts
    # on a machine without them; the route tree Alertmanager reports is the one we wrote.
    config = ROOT / "out" / alertmanager.CONFIG_PATH
    with processes.alertmanager(config, tmp_path) as am:
        status = requests.get(f"{am.url}/api/v2/status", timeout=5).json()
    loaded = YAML(typ="safe").load(status["config"]["original"])
    ours = YAML(typ="safe").load(config.read_text(encoding="utf-8"))
    assert loaded["route"]["receiver"] == ours["route"]["receiver"]
    assert len(loaded["route"]["routes"]) == len(ours["route"]["routes"])
    assert len(loaded["inhibit_rules"]) == len(ours["inhibit_rules"]) == 3
    assert sorted(r["name"] for r in loaded["receivers"]) == sorted(
        r["name"] for r in ours["receivers"])
