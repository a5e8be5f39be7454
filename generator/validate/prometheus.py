"""promtool on the staged Prometheus output: `check rules` with failures traced to the spec,
and `test rules` on the generated unit tests."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.core.model import Model
from generator.targets.prometheus import rule_files as prometheus_rules
from generator.targets.prometheus import unit_tests
from generator.validate import promtool
from generator.validate.results import Problem, Tools

CHECK_NAME = "promtool check rules"
TEST_NAME = "promtool test rules"
_RULE_REF = re.compile(r'group "([^"]+)", rule (\d+)')


def check_rule_files(staged: Path, model: Model, tools: Tools) -> list[Problem]:
    """Check every generated rule file; each failure names the file and, where promtool names
    the rule, the spec location that produced it."""
    if tools.promtool is None:
        return []
    lay = prometheus_rules.layout(model.prometheus)
    present = [s for s in model.services if (staged / prometheus_rules.rules_path(s.name)).exists()]
    # One promtool process for every file is the common, passing case; only when it fails are
    # files checked one by one, so each failure can be traced to its service's spec.
    everything = [staged / prometheus_rules.rules_path(s.name) for s in present]
    if not everything or promtool.check_rules(everything, tools.promtool).ok:
        return []
    problems = []
    for service in present:
        rel = prometheus_rules.rules_path(service.name)
        path = staged / rel
        result = promtool.check_rules([path], tools.promtool)
        if result.ok:
            continue
        sources = prometheus_rules.rule_sources(service, lay)
        output = result.output.replace(str(path), rel.as_posix())
        notes = sorted({f"  from {src.prefix()}" for group, index in _RULE_REF.findall(output)
                        if (src := sources.get((group, int(index)))) is not None})
        problems.append(Problem(CHECK_NAME, rel.as_posix(), "\n".join([output, *notes])))
    return problems


def test_rule_files(staged: Path, model: Model, tools: Tools) -> list[Problem]:
    """Run the generated promtool unit tests; each failing file is one problem."""
    if tools.promtool is None:
        return []
    # The unit tests of the services in `model` (every service, or those whose Prometheus
    # files changed).
    files = sorted(staged / p for s in model.services
                   for p in (unit_tests.alert_tests_path(s.name),
                             unit_tests.long_tests_path(s.name))
                   if (staged / p).is_file())
    return [Problem(TEST_NAME, f.relative_to(staged).as_posix(), output)
            for f, ok, output in run_tests(files, tools.promtool) if not ok]


def run_tests(files: Sequence[Path], promtool_path: str) -> list[tuple[Path, bool, str]]:
    """`promtool test rules` on each file, files in parallel (each run is single-threaded)."""
    def one(path: Path) -> tuple[Path, bool, str]:
        # Run from the file's directory: test files name their rule files relatively.
        result = promtool.test_rules([Path(path.name)], promtool_path, cwd=path.parent)
        return path, result.ok, result.output

    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        return list(pool.map(one, files))

