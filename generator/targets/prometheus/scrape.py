"""Prometheus scrape jobs for what the specs know the address of: the health-check exporter
(`exporter.listen`) and services with `scrape:`. One file, `out/prometheus/scrape/slogen.yaml`,
a `scrape_configs:` list for `scrape_config_files` (Prometheus 2.43+) or to paste."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from generator.core import naming
from generator.core.durations import format_duration
from generator.core.model import Model, Scrape
from generator.targets.dump import yaml_text

SCRAPE_PATH = PurePath("prometheus") / "scrape" / "slogen.yaml"
# A listen address on every interface is scraped on loopback: the stack runs on one machine.
_ANY_HOST = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "[::]": "[::1]"}


def render(model: Model) -> dict[PurePath, str]:
    """The exporter job (when there are health checks) and one job per service with `scrape:`."""
    jobs: list[dict[str, Any]] = []
    sources: list[str] = []
    if any(s.health_checks for s in model.services):
        jobs.append(_job(naming.EXPORTER_JOB, [exporter_target(model.exporter.listen)],
                         format_duration(model.prometheus.scrape_interval)))
        sources.append(model.global_file)
    for svc in model.services:
        if svc.scrape is not None:
            jobs.append(_service_job(svc.scrape, model))
            sources.append(svc.source_file)
    if not jobs:
        return {}
    return {SCRAPE_PATH: yaml_text({"scrape_configs": jobs}, sources)}


def exporter_target(listen: str) -> str:
    """The address Prometheus scrapes for the exporter's `listen` address."""
    host, _, port = listen.rpartition(":")
    return f"{_ANY_HOST.get(host, host)}:{port}"


def _service_job(scrape: Scrape, model: Model) -> dict[str, Any]:
    job = _job(scrape.job, list(scrape.targets),
               format_duration(scrape.interval or model.prometheus.scrape_interval))
    if scrape.metrics_path != "/metrics":
        job["metrics_path"] = scrape.metrics_path
    if scrape.scheme != "http":
        job["scheme"] = scrape.scheme
    return job


def _job(name: str, targets: list[str], interval: str) -> dict[str, Any]:
    return {"job_name": name, "scrape_interval": interval,
            "static_configs": [{"targets": targets}]}
