"""Run amtool on the generated Alertmanager config: check it, and run the routing tests.

The routing tests (`alertmanager/tests/routes.yaml`) say which receivers each label set must
reach according to the specs; `amtool config routes test` says where the rendered config really
sends it. Any difference fails generation.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from generator.core.model import Model
from generator.targets.alertmanager.config import CONFIG_PATH, ROUTING_TESTS_PATH, matcher_text
from generator.targets.alertmanager.routing_cases import findings
from generator.validate.results import Problem, Tools

AMTOOL_TIMEOUT_SECONDS = 60
PARALLEL_RUNS = 8


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one amtool run: ok, its combined output, and the file checked."""

    ok: bool
    output: str
    file: str


@dataclass(frozen=True)
class RouteTest:
    """One routing test read from the generated tests file."""

    name: str
    labels: Mapping[str, str]
    receivers: tuple[str, ...]


def check_config(config: Path, amtool: str) -> CheckResult:
    """`amtool check-config` on a generated config."""
    result = _run([amtool, "check-config", str(config)])
    return CheckResult(result.returncode == 0, (result.stdout + result.stderr).strip(), str(config))


def load_route_tests(path: Path) -> list[RouteTest]:
    """The routing tests in a generated tests file."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    return [RouteTest(t["name"], dict(t["labels"]), tuple(t["receivers"]))
            for t in data.get("tests", [])]


def routed_receivers(config: Path, labels: Mapping[str, str], amtool: str) -> tuple[str, ...]:
    """Receivers Alertmanager's own routing code picks for `labels`, in tree order."""
    argv = [amtool, "config", "routes", "test", f"--config.file={config}"]
    argv += [matcher_text(k, "=", v) for k, v in sorted(labels.items())]
    result = _run(argv)
    if result.returncode != 0:
        raise RuntimeError((result.stdout + result.stderr).strip())
    return tuple(r for r in result.stdout.strip().split(",") if r)


def run_route_tests(config: Path, tests: Sequence[RouteTest], amtool: str) -> list[str]:
    """Run every test (in parallel: one short amtool process each); return the failures.

    Alertmanager routes on the labels its matchers name and nothing else, and on a label only
    equality matchers read, only on whether it has one of the values they name: tests that
    agree on those (read from the rendered config itself) share one amtool run, a handful at a
    thousand SLOs instead of thousands. Every test is still judged on its own expected
    receivers.
    """
    routing = routing_reads(config)

    def key(test: RouteTest) -> tuple[tuple[str, str | None], ...]:
        if routing is None:
            return tuple(sorted(test.labels.items()))
        # A label no regex reads routes on whether it equals a value some matcher names: any
        # other value (or none: Alertmanager reads a missing label as "") routes alike.
        return tuple((name, value if values is None or value in values else None)
                     for name, values in sorted(routing.items())
                     for value in [test.labels.get(name, "")])

    groups: dict[tuple[tuple[str, str | None], ...], RouteTest] = {}
    for test in tests:
        groups.setdefault(key(test), test)

    def route(test: RouteTest) -> tuple[str, ...] | str:
        try:
            return routed_receivers(config, test.labels, amtool)
        except RuntimeError as exc:
            return f"amtool failed: {exc}"

    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        routed = dict(zip(groups, pool.map(route, groups.values()), strict=True))
    return [msg for test in tests if (msg := _judge(test, routed[key(test)])) is not None]


def _judge(test: RouteTest, got: tuple[str, ...] | str) -> str | None:
    if isinstance(got, str):
        return f"{test.name}: {got}"
    if got == test.receivers:
        return None
    labels = ", ".join(f"{k}={v}" for k, v in sorted(test.labels.items()))
    return (f"{test.name}: {{{labels}}} should reach {', '.join(test.receivers)} "
            f"but Alertmanager routes it to {', '.join(got) or 'nothing'}")


_MATCHER = re.compile(r'^\s*"?([a-zA-Z_][a-zA-Z0-9_]*)"?\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$')
_ESCAPE = re.compile(r"\\(.)")


def routing_labels(config: Path) -> frozenset[str] | None:
    """Label names any route of the rendered config matches on; None if one cannot be read
    (then no tests are grouped)."""
    reads = routing_reads(config)
    return None if reads is None else frozenset(reads)


def routing_reads(config: Path) -> dict[str, frozenset[str] | None] | None:
    """Label name -> the values the route matchers compare it with, for every label they
    read; None as the values when a regex reads it (its exact value matters). None when a
    matcher cannot be read (then no tests are grouped)."""
    data = YAML(typ="safe").load(config.read_text(encoding="utf-8")) or {}
    reads: dict[str, set[str] | None] = {}

    def add(name: str, value: str | None) -> None:
        known = reads.setdefault(name, set())
        if known is not None and value is not None:
            known.add(value)
        elif value is None:
            reads[name] = None

    stack = [data.get("route") or {}]
    while stack:
        node = stack.pop()
        for name, value in (node.get("match") or {}).items():
            add(str(name), str(value))
        for name in node.get("match_re") or {}:
            add(str(name), None)
        for matcher in node.get("matchers") or []:
            found = _MATCHER.match(str(matcher))
            if found is None:
                return None
            name, op, value = found.groups()
            add(name, _ESCAPE.sub(_unescape, value) if op in ("=", "!=") else None)
        stack.extend(node.get("routes") or [])
    return {name: None if values is None else frozenset(values)
            for name, values in reads.items()}


def _unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return "\n" if char == "n" else char


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=AMTOOL_TIMEOUT_SECONDS,
                          check=False)


def check_alertmanager(staged: Path, model: Model, tools: Tools) -> list[Problem]:
    """amtool check-config, the generated routing tests, and routing lint on staged output."""
    config = staged / CONFIG_PATH
    tree = model.route_tree
    if tree is None or not config.exists():
        return []
    name = CONFIG_PATH.as_posix()
    problems = [Problem("routing", name, f.message, warning=not f.error)
                for f in findings(model, tree)]
    if tools.amtool is None:
        return problems
    checked = check_config(config, tools.amtool)
    if not checked.ok:
        return [*problems, Problem("amtool check-config", name,
                                   checked.output.replace(f"{staged}/", ""))]
    tests = load_route_tests(staged / ROUTING_TESTS_PATH)
    failures = run_route_tests(config, tests, tools.amtool)
    if failures:
        problems.append(Problem("amtool config routes test", ROUTING_TESTS_PATH.as_posix(),
                                "\n".join(failures)))
    return problems
