"""Checks run on staged output before it replaces out/ (promtool, amtool, generated tests)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path, PurePath

from generator.core.model import Model
from generator.targets.prometheus.rule_files import rules_path
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


def names() -> frozenset[str]:
    """The names of every registered check."""
    return frozenset(name for name, _ in _checks())


# Running the generated promtool unit tests costs about a second per SLO, so at a few hundred
# SLOs it would dominate every generate; they run with `slogen test`, `make validate` and
# `generate --test` instead.
SLOW_CHECKS = frozenset({"prometheus-tests"})


# The output directories each check reads: with a set of changed files, a check none of whose
# files changed is not run again (its files passed when they were written).
READS = {
    "prometheus-rules": ("prometheus/",),
    "prometheus-tests": ("prometheus/",),
    "alertmanager": ("alertmanager/",),
    "exporter config": ("exporter/",),
    "grafana-references": ("grafana/", "prometheus/"),
}


def run_checks(staged: Path, model: Model, tools: Tools, include_slow: bool = False,
               changed: frozenset[str] | None = None,
               done: frozenset[str] = frozenset(),
               untested: frozenset[str] = frozenset(),
               known_output: grafana.Known | None = None,
               read: dict[str, frozenset[str]] | None = None) -> list[Problem]:
    """Run the registered checks on the staged output directory (slow ones only on request).

    With `changed` (output paths that differ from the last generation), checks read only what
    changed: promtool checks the changed services' rule files and runs the unit tests of the
    services with a changed Prometheus file, other checks run when a file in the directories
    they read changed. Checks named in `done` already passed on these files. The unit tests
    of the services in `untested` run even when their files did not change (they were written
    by a generate that did not run them). `known_output` and `read` go to the Grafana check
    (see grafana.check_grafana).
    """
    problems: list[Problem] = []
    for name, check in _checks():
        if name in SLOW_CHECKS and not include_slow or name in done:
            continue
        scope = model
        if changed is not None:
            reads = READS.get(name, ("",))
            if not any(p.startswith(reads) for p in changed) and not (
                    name == "prometheus-tests" and untested):
                continue
            if name == "prometheus-rules":
                scope = dataclasses.replace(model, services=tuple(
                    s for s in model.services if _rule_file_changed(s.name, changed)))
            elif name == "prometheus-tests":
                scope = dataclasses.replace(model, services=tuple(
                    s for s in model.services
                    if s.name in untested or _prometheus_changed(s.name, changed)))
            if check is grafana.check_grafana:
                problems.extend(grafana.check_grafana(staged, scope, tools, known_output, read))
                continue
        problems.extend(check(staged, scope, tools))
    return problems


def run_check(name: str, staged: Path, model: Model, tools: Tools) -> list[Problem]:
    """Run the registered check `name` alone (on everything it reads)."""
    return next(check for n, check in _checks() if n == name)(staged, model, tools)


def _rule_file_changed(service: str, changed: frozenset[str]) -> bool:
    return rules_path(service).as_posix() in changed


def _prometheus_changed(service: str, changed: frozenset[str]) -> bool:
    # A service's rule and unit-test files are named after it, in prometheus/ and below.
    return any(p.startswith("prometheus/") and PurePath(p).name.startswith(f"{service}.")
               for p in changed)


def missing_tools(tools: Tools) -> list[str]:
    """Names of tools the checks need but that are not installed."""
    return [name for name in ("promtool", "amtool") if getattr(tools, name) is None]
