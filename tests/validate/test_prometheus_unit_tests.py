"""The generated promtool unit tests pass on the generated rules, and catch broken ones."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator.cli import main
from generator.validate.prometheus import run_tests
from tests.conftest import ROOT, TESTDATA

CASE = TESTDATA / "prometheus"
pytestmark = pytest.mark.promtool


def test_reference_specs_pass_their_generated_tests(promtool: str) -> None:
    files = sorted((ROOT / "out" / "prometheus" / "tests").glob("*.test.yaml"))
    assert len(files) >= 5
    failed = [(path.name, out) for path, ok, out in run_tests(files, promtool) if not ok]
    assert not failed


def test_every_kind_passes_its_generated_tests(promtool: str) -> None:
    files = sorted((CASE / "out" / "prometheus" / "tests").glob("*.test.yaml"))
    failed = [(path.name, out) for path, ok, out in run_tests(files, promtool) if not ok]
    assert not failed


@pytest.mark.parametrize("before, after, alert", [
    pytest.param("expr: shop:orders:rate5m < 1", "expr: shop:orders:rate5m < 0.5", "OrdersLow",
                 id="a lower threshold misses the firing value"),
    pytest.param("value > 0.5\n    for: 2m", "value > 0.5\n    for: 3m", "ErrorsHigh",
                 id="a longer for fires late"),
    pytest.param('> 100 unless shop_queue_depth', '> 100 or shop_queue_depth', "QueueDepth",
                 id="tiers that overlap fire together"),
])
def test_generated_tests_catch_a_broken_rule(tmp_path: Path, promtool: str, before: str,
                                             after: str, alert: str) -> None:
    out = tmp_path / "prometheus"
    shutil.copytree(CASE / "out" / "prometheus", out)
    rules = out / "shop.rules.yaml"
    text = rules.read_text()
    assert before in text
    rules.write_text(text.replace(before, after, 1))
    [(_, ok, output)] = run_tests([out / "tests" / "shop.test.yaml"], promtool)
    assert not ok
    # Spelled out (the alert's first check) or counted (a later one).
    assert f"alertname: {alert}" in output or f'alertname="{alert}"' in output


@pytest.mark.parametrize("before, after, count", [
    pytest.param("(5.6 * 0.001)", "(10 * 0.001)", 2, id="a higher page factor misses the ratio"),
    pytest.param("(0.933333 * 0.001)", "(2 * 0.001)", 2, id="a higher ticket factor misses it too"),
    pytest.param("for: 2m", "for: 3m", 1, id="a longer page for fires late"),
    pytest.param("(100 * 0.001)", "(120 * 0.001)", 2, id="the fast tier's factor"),
])
def test_counted_alerts_of_a_repeated_rule_shape_still_catch_a_broken_rule(
        tmp_path: Path, promtool: str, before: str, after: str, count: int) -> None:
    # refund-errors has checkout-errors' rule shape: its alerts are counted, not spelled out,
    # and a change to its thresholds (in the burn condition it shares with checkout-errors) or
    # to its own timing must still fail its tests.
    out = tmp_path / "prometheus"
    shutil.copytree(CASE / "out" / "prometheus", out)
    rules = out / "shop.rules.yaml"
    text = rules.read_text()
    if before.startswith("for:"):
        start = text.index("alert: ShopRefundErrorsBudgetBurn")
        assert before in text[start:]
        rules.write_text(text[:start] + text[start:].replace(before, after, count))
    else:
        blocks = [m for m in re.finditer(r"(?ms)^  - record: slo:burn_\w+:ratio\n.*?(?=^  - |\Z)",
                                         text) if "shop-refund-errors" in m.group()
                  and before in m.group()]
        assert blocks
        for m in reversed(blocks):
            text = text[:m.start()] + m.group().replace(before, after, count) + text[m.end():]
        rules.write_text(text)
    [(_, ok, output)] = run_tests([out / "tests" / "shop.test.yaml"], promtool)
    assert not ok
    assert 'alertname="ShopRefundErrorsBudgetBurn"' in output


_TWINS = """\
version: slogen/v1
service: twins
team: shop
slos:
""" + "".join(f"""\
  - name: {name}
    objective: {objective}
    sli:
      events:
        bad: sum(rate(http_requests_total{{job="{name}", code="500"}}[{{{{window}}}}]))
        total: sum(rate(http_requests_total{{job="{name}"}}[{{{{window}}}}]))
""" for name, objective in (("a", 99.9), ("b", 99.9), ("c", 99.5)))


def _expand(names: str) -> str:
    """Every "P{a,b}S" in a case name as "PaS, PbS"."""
    return re.sub(r"(\w*)\{([\w,]*)\}(\w*)",
                  lambda m: ", ".join(f"{m[1]}{x}{m[3]}" for x in m[2].split(",")), names)


def test_an_slo_with_an_earlier_ones_rules_checks_its_firing_and_leaves_the_edges(
        tmp_path: Path, promtool: str) -> None:
    # b has a's rule shape and budget: its rules are a's but for its id. Its tests show that
    # each level fires on its own series; staying silent under the factor, the fast tier and
    # keep_firing_for, the same expressions, are a's to show. c, another budget, shows them.
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "twins.yaml").write_text(_TWINS, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["generate", "--specs", str(specs), "--out", str(out), "--skip-checks",
                 "--quiet"]) == 0
    tests = out / "prometheus" / "tests" / "twins.test.yaml"
    # Each case name lists "alerts: what is shown", bundled cases joined by "; ", alerts that
    # share a prefix and suffix written once ("Twins{A,C}BudgetBurn").
    cases = YAML(typ="safe").load(tests.read_text())["tests"]
    shown = [[_expand(alerts), what] for t in cases for part in t["name"].split("; ")
             for alerts, what in [part.split(": ", 1)]]
    edges = [alerts for alerts, what in shown if "silent just under" in what
             or "keeps firing" in what or "before the longer windows fill" in what]
    assert len(edges) >= 3 and all("TwinsABudgetBurn" in a and "TwinsCBudgetBurn" in a
                                   and "TwinsBBudgetBurn" not in a for a in edges), shown
    fired = [what for alerts, what in shown if "TwinsBBudgetBurn" in alerts]
    # Above the page factor the ticket level fires too: one case shows both.
    assert fired == ["page fires after exactly 0s"]
    [case] = [t for t in cases if "TwinsBBudgetBurn" in _expand(t["name"])]
    counted = [s["labels"] for e in case["promql_expr_test"] for s in e["exp_samples"]]
    assert {'{alertname="TwinsBBudgetBurn", severity="critical"}',
            '{alertname="TwinsBBudgetBurn", severity="warning"}'} <= set(counted)
    [(_, ok, output)] = run_tests([tests], promtool)
    assert ok, output
    # Left out of the burn condition it shares with a, b no longer fires: its tests fail.
    rules = out / "prometheus" / "twins.rules.yaml"
    text = rules.read_text()
    shared = re.sub(r"twins-b\||\|twins-b", "", text)
    assert shared != text
    rules.write_text(shared)
    [(_, ok, output)] = run_tests([tests], promtool)
    assert not ok
    assert 'alertname="TwinsBBudgetBurn"' in output


def test_slogen_test_runs_the_files_in_out(tmp_path: Path, promtool: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    shutil.copytree(CASE / "out", out)
    assert main(["test", "--out", str(out)]) == 0
    assert "2 of 2 test files passed." in capsys.readouterr().out
    (out / "prometheus" / "shop.rules.yaml").write_text(
        (out / "prometheus" / "shop.rules.yaml").read_text().replace("> 0.5", "> 50"))
    assert main(["test", "--out", str(out)]) == 1
    assert "FAILED" in capsys.readouterr().out
