"""Write a synthetic spec directory: N SLOs spread over services, with alerts and a global file.

    python bench/synth.py 1000 /tmp/specs    # 1,000 SLOs in 100 service files
"""

from __future__ import annotations

import sys
from pathlib import Path

SLOS_PER_SERVICE = 10
GLOBAL = """\
version: slogen/v1
receivers:
  - name: pager
    pagerduty: {routing_key_file: /etc/alertmanager/secrets/pd-key}
  - name: chat
    slack: {channel: "#alerts", api_url_file: /etc/alertmanager/secrets/slack-url}
routing:
  receiver: chat
  severities:
    critical: {receivers: [pager, chat]}
    warning: {receivers: [chat]}
grafana:
  folders: [{uid: slos, title: Service Levels}]
  dashboard_folder: slos
"""


def _slo(service: str, index: int) -> str:
    job = f'job="{service}",handler="h{index}"'
    if index % 3 == 2:
        return f"""\
  - name: latency-{index}
    objective: 99
    window: 28d
    sli:
      latency: {{histogram: http_request_duration_seconds, selector: '{{{job}}}', below: 250ms}}
"""
    return f"""\
  - name: availability-{index}
    objective: {99.9 if index % 2 else 99.5}
    window: 30d
    sli:
      events:
        bad: sum(rate(http_requests_total{{{job},code=~"5.."}}[{{{{window}}}}]))
        total: sum(rate(http_requests_total{{{job}}}[{{{{window}}}}]))
"""


def service_spec(service: str, slos: int) -> str:
    """One service file with `slos` SLOs and three alerts of different kinds."""
    return (f"version: slogen/v1\nservice: {service}\nteam: team-{service[-1]}\n"
            f"runbook: https://runbooks.example.com/{service}\nslos:\n"
            + "".join(_slo(service, i) for i in range(slos))
            + f"""\
alerts:
  - name: HighMemoryUsage
    expr: process_resident_memory_bytes{{job="{service}"}} / 1e9
    above: 4
    for: 10m
  - name: QueueBacklog
    expr: queue_depth{{job="{service}"}}
    tiers: {{warning: {{above: 100}}, critical: {{above: 1000}}}}
  - name: MetricsMissing
    absent: up{{job="{service}"}}
    for: 15m
    severity: critical
""")


def write_specs(total_slos: int, spec_dir: Path) -> int:
    """Write `total_slos` SLOs into `spec_dir`; return the number of service files."""
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "_global.yaml").write_text(GLOBAL, encoding="utf-8")
    services = max(1, total_slos // SLOS_PER_SERVICE)
    for n in range(services):
        count = SLOS_PER_SERVICE if n < services - 1 else total_slos - SLOS_PER_SERVICE * n
        name = f"svc-{n:05d}"
        (spec_dir / f"{name}.yaml").write_text(service_spec(name, count), encoding="utf-8")
    return services


if __name__ == "__main__":
    print(f"{write_specs(int(sys.argv[1]), Path(sys.argv[2]))} service files")
