"""Small routing specs shared by the Alertmanager and Grafana notification tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from generator import pipeline
from generator.core.model import Model

GLOBAL = """\
version: slogen/v1
receivers:
  - name: pager
    pagerduty: {routing_key_file: /run/secrets/pd-key}
  - name: chat-critical
    slack: {channel: "#critical", api_url_file: /run/secrets/slack-url}
  - name: chat-tickets
    slack: {channel: "#tickets", api_url_file: /run/secrets/slack-url, text: "costs $5"}
  - name: chat-default
    slack: {channel: "#monitoring", api_url_file: /run/secrets/slack-url}
  - name: bridge
    webhook: {url: "http://127.0.0.1:9095/alerts", credentials_file: /run/secrets/bridge-token}
  - name: mail
    email: {to: "a@example.com, b@example.com", from: am@example.com,
            smarthost: "smtp.example.com:587", auth_username: am,
            auth_password_file: /run/secrets/smtp}
routing:
  receiver: chat-default
  group_wait: 10s
  severities:
    critical: {receivers: [pager, chat-critical], repeat_interval: 1h}
    warning: {receivers: [chat-tickets], active_during: office}
  overrides:
    - match: {alert_type: predictive}
      receivers: [bridge]
      continue: true
      repeat_interval: 1h
  time_intervals:
    office:
      - weekdays: ["monday:friday"]
        times: [{start: "08:00", end: "18:00"}]
"""

SERVICE = """\
version: slogen/v1
service: shop
team: web
alerts:
  - name: ShopDown
    expr: up{job="shop"}
    below: 1
    severity: critical
    labels: {role: service-down}
  - name: SlowCheckout
    expr: checkout_seconds
    above: 2
    severity: warning
  - name: DiskFillsUp
    predict: {expr: disk_free_bytes, below: 0, within: 4h}
    severity: warning
    labels: {alert_type: predictive}
"""


def compile_model(tmp_path: Path, global_text: str = GLOBAL,
                  services: dict[str, str] | None = None) -> Model:
    """Write a global file and service files into a spec dir and compile them (no promtool)."""
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir(exist_ok=True)
    (spec_dir / "_global.yaml").write_text(textwrap.dedent(global_text), encoding="utf-8")
    for name, text in (services if services is not None else {"shop": SERVICE}).items():
        (spec_dir / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return pipeline.compile_specs(spec_dir, None, tmp_path)
