"""Write the local stack's Prometheus config: monitoring/prometheus.yml's global settings, the
generated rules, the local Alertmanager, and the scrape jobs slogen generated from the specs
(out/prometheus/scrape/), so the stack scrapes the exporter where `exporter.listen` puts it.

    python monitoring/local_config.py OUT_DIR PROMETHEUS_ADDR ALERTMANAGER_ADDR > config.yml

Prometheus 2.42 (Debian 12) has no `scrape_config_files`, hence one merged file. It is JSON,
which Prometheus reads as YAML.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

BASE = Path(__file__).with_name("prometheus.yml")


def local_config(out: Path, prometheus: str, alertmanager: str) -> dict[str, Any]:
    """The merged config as data."""
    yaml = YAML(typ="safe")
    base = yaml.load(BASE.read_text(encoding="utf-8")) or {}
    jobs = [{"job_name": "prometheus", "static_configs": [{"targets": [prometheus]}]},
            {"job_name": "alertmanager", "static_configs": [{"targets": [alertmanager]}]}]
    for path in sorted((out / "prometheus" / "scrape").glob("*.yaml")):
        jobs += (yaml.load(path.read_text(encoding="utf-8")) or {}).get("scrape_configs", [])
    return {
        "global": base.get("global", {}),
        "rule_files": [str(out.resolve() / "prometheus" / "*.rules.yaml")],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]},
        "scrape_configs": jobs,
    }


if __name__ == "__main__":
    out_dir, prom_addr, am_addr = sys.argv[1:4]
    print(json.dumps(local_config(Path(out_dir), prom_addr, am_addr), indent=2))
