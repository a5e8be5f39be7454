"""Checks run on staged output before it replaces out/ (promtool, amtool, generated tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.core.model import Model
from generator.validate import amtool, grafana, prometheus
from generator.validate.exporter_config import check_exporter_config
from generator.validate.results import Problem, Tools

# Problem and Tools are defined in results.py (tool modules import them from there) and offered
# here too, for callers that only run the checks.
__all__ = ["SLOW_CHECKS", "CheckFn", "Problem", "Tools", "missing_tools", "run_checks"]

CheckFn = Callable[[Path, Model, Tools], list[Problem]]

def _checks() -> tuple[tuple[str, CheckFn], ...]:
    # Looked up on each run, so a test can replace one check function.
    return (
        ("prometheus-rules", prometheus.check_rule_files),
        ("prometheus-tests", prometheus.test_rule_files),
        ("alertmanager", amtool.check_alertmanager),
        ("exporter config", check_exporter_config),
        ("grafana-references", grafana.check_grafana),
    )


# Running the generated promtool unit tests costs about a second per SLO, so at a few hundred
# SLOs it would dominate every generate; they run with `slogen test`, `make validate` and
# `generate --test` instead.
SLOW_CHECKS = frozenset({"prometheus-tests"})


def run_checks(staged: Path, model: Model, tools: Tools,
               include_slow: bool = False) -> list[Problem]:
    """Run the registered checks on the staged output directory (slow ones only on request)."""
    problems: list[Problem] = []
    for name, check in _checks():
        if name in SLOW_CHECKS and not include_slow:
            continue
        problems.extend(check(staged, model, tools))
    return problems


def missing_tools(tools: Tools) -> list[str]:
    """Names of tools the checks need but that are not installed."""
    return [name for name in ("promtool", "amtool") if getattr(tools, name) is None]
