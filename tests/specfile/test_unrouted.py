"""Alerts that would reach nobody (no routing anywhere) are warned about, each at its spec line."""

from __future__ import annotations

from pathlib import Path

from generator import pipeline

SERVICE = """\
version: slogen/v1
service: checkout
team: payments
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      events:
        bad: sum(rate(http_requests_total{code=~"5.."}[{{window}}]))
        total: sum(rate(http_requests_total[{{window}}]))
alerts:
  - name: CheckoutDown
    expr: up{job="checkout"}
    below: 1
    severity: critical
"""
GLOBAL = """\
version: slogen/v1
receivers: [{name: pager, webhook: {url: "https://hooks.example.com/pager"}}]
routing: {receiver: pager}
"""
FIX = ("reaches no receiver: the specs declare no routing, so no alertmanager.yml is "
       "generated; declare receivers and routing.receiver in slos/_global.yaml")


def _warnings(tmp_path: Path, with_global: bool) -> list[str]:
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "checkout.yaml").write_text(SERVICE)
    if with_global:
        (specs / "_global.yaml").write_text(GLOBAL)
    return [str(w) for w in pipeline.compile_specs(specs, None, tmp_path).warnings]


def test_every_alert_without_a_route_is_warned_about_at_its_line(tmp_path: Path) -> None:
    assert _warnings(tmp_path, with_global=False) == [
        f"slos/checkout.yaml:5:5: slos[0]: warning: alert CheckoutAvailabilityBudgetBurn "
        f"(critical) {FIX}",
        f"slos/checkout.yaml:5:5: slos[0]: warning: alert CheckoutAvailabilityBudgetBurn "
        f"(warning) {FIX}",
        f"slos/checkout.yaml:13:5: alerts[0]: warning: alert CheckoutDown (critical) {FIX}",
    ]


def test_a_default_receiver_routes_every_alert(tmp_path: Path) -> None:
    assert _warnings(tmp_path, with_global=True) == []
