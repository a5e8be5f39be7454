"""Routing tests that agree on the labels Alertmanager matches share one amtool run, and each is
still judged on its own expected receivers."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from generator.validate import amtool as amtool_check
from generator.validate.amtool import RouteTest

CONFIG = textwrap.dedent("""\
    route:
      receiver: chat
      routes:
        - matchers: ['severity="critical"']
          receiver: pager
        - match_re: {team: "db.*"}
          receiver: dba
    receivers: [{name: chat}, {name: pager}, {name: dba}]
    """)


def _count_runs(monkeypatch: pytest.MonkeyPatch) -> list[Mapping[str, str]]:
    """The label sets amtool is asked to route, from now on."""
    calls: list[Mapping[str, str]] = []
    real = amtool_check.routed_receivers

    def counting(path: Path, labels: Mapping[str, str], binary: str) -> tuple[str, ...]:
        calls.append(labels)
        return real(path, labels, binary)

    monkeypatch.setattr(amtool_check, "routed_receivers", counting)
    return calls


def test_routing_labels_come_from_every_matcher_form(tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG)
    assert amtool_check.routing_labels(config) == {"severity", "team"}
    config.write_text(CONFIG.replace('severity="critical"', "{weird}"))
    assert amtool_check.routing_labels(config) is None


@pytest.mark.amtool
def test_grouped_runs_still_judge_each_test(tmp_path: Path, amtool: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG)
    calls = _count_runs(monkeypatch)
    tests = [RouteTest(f"svc{i}", {"severity": "critical", "service": f"svc{i}"}, ("pager",))
             for i in range(5)]
    tests.append(RouteTest("wrong", {"severity": "critical", "service": "x"}, ("chat",)))
    tests.append(RouteTest("db", {"severity": "info", "team": "dbops"}, ("dba",)))
    failures = amtool_check.run_route_tests(config, tests, amtool)
    assert len(calls) == 2  # one per distinct (severity, team) combination
    assert failures == ["wrong: {service=x, severity=critical} should reach chat "
                        "but Alertmanager routes it to pager"]


def test_routing_reads_name_the_values_equality_matchers_compare(tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    # CONFIG's routes, and one more whose matchers name an escaped value and a negation.
    extra = r"""    - matchers: ['env="a\"b"', 'severity!="info"']
      receiver: chat
"""
    config.write_text(CONFIG.replace("receivers:", extra + "receivers:"))
    assert amtool_check.routing_reads(config) == {
        "severity": frozenset({"critical", "info"}), "team": None, "env": frozenset({'a"b'})}


@pytest.mark.amtool
def test_grouping_by_named_values_routes_every_reference_test_as_alone(
        amtool: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the reference output's routing tests, each test's group run gives what a run of
    its own labels gives, with fewer runs than tests."""
    from tests.conftest import ROOT

    out = ROOT / "out"
    config = out / amtool_check.CONFIG_PATH
    tests = amtool_check.load_route_tests(out / amtool_check.ROUTING_TESTS_PATH)
    calls = _count_runs(monkeypatch)
    assert amtool_check.run_route_tests(config, tests, amtool) == []
    assert 0 < len(calls) < len(tests)
    # Every test, routed on its own labels, reaches what its group's run said it would.
    wrong = [RouteTest(t.name, t.labels, ("nobody",)) for t in tests]
    grouped = amtool_check.run_route_tests(config, wrong, amtool)
    route = amtool_check.routed_receivers
    alone = [f"{t.name}: {{{', '.join(f'{k}={v}' for k, v in sorted(t.labels.items()))}}} "
             f"should reach nobody but Alertmanager routes it to "
             f"{', '.join(route(config, t.labels, amtool)) or 'nothing'}" for t in tests]
    assert grouped == alone
