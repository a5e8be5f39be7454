"""The health-check exporter's config: databases (URLs as `${ENV}` references) and checks."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from generator.core import naming
from generator.core.durations import format_duration
from generator.core.model import Condition, HealthCheck, Model, Op
from generator.targets.dump import yaml_text

CONFIG_PATH = PurePath("exporter") / "config.yaml"
CONFIG_VERSION = "slogen-exporter/v1"


def render(model: Model) -> dict[PurePath, str]:
    """One config file with every database and every health check, checks ordered by id."""
    checks = sorted((c for s in model.services for c in s.health_checks), key=lambda c: c.id)
    data = {
        "version": CONFIG_VERSION,
        "listen": model.exporter.listen,
        "databases": {
            name: {"url": db.url, "pool_size": db.pool_size}
            for name, db in sorted(model.databases.items())
        },
        "checks": [_check(c) for c in checks],
    }
    sources = [model.global_file, *(c.source.file for c in checks)]
    return {CONFIG_PATH: yaml_text(data, sources)}


def _check(check: HealthCheck) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": check.id,
        "service": check.service,
        "name": check.name,
        "help": check.description or f"Health check {check.name} of {check.service}.",
        "database": check.database,
        "every": format_duration(check.every),
        "timeout": format_duration(check.timeout),
        "sql": check.sql,
        "values": [
            {"column": col, "metric": naming.check_metric(check.name, col)} for col in check.values
        ],
        "labels": list(check.labels),
    }
    if check.compare_sql is not None:
        out["compare"] = {
            "database": check.compare_database,
            "sql": check.compare_sql,
            "tolerance": check.tolerance,
        }
    if check.alert is not None:
        out["alert"] = _condition(check.alert)
    return out


def _condition(cond: Condition) -> dict[str, Any]:
    key = {Op.ABOVE: "above", Op.BELOW: "below", Op.EQUALS: "equals", Op.OUTSIDE: "outside"}
    value: Any = [cond.threshold, cond.high] if cond.op is Op.OUTSIDE else cond.threshold
    return {key[cond.op]: value}
