"""keep_firing_for on burn-rate alerts: the page default, the global defaults per level, an
SLO's own value per level, and the generated promtool case that checks the hold."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator import pipeline
from generator.targets.prometheus import rule_files, unit_tests

SPEC = """version: slogen/v1
service: kff
team: ops
slos:
  - name: api
    objective: 99.9
    sli:
      events:
        bad: sum(rate(req_total{{code="500"}}[{{{{window}}}}]))
        total: sum(rate(req_total[{{{{window}}}}]))
{alerting}
"""


def _burn_rules(tmp_path: Path, global_extra: str = "", alerting: str = "",
                ) -> dict[str, dict[str, Any]]:
    """The burn-rate alert rules of the one SLO, by severity."""
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n" + global_extra)
    (specs / "kff.yaml").write_text(SPEC.format(alerting=alerting))
    model = pipeline.compile_specs(specs, None, tmp_path)
    found = {}
    for text in rule_files.render(model).values():
        for group in yaml.safe_load(text)["groups"]:
            for rule in group["rules"]:
                if rule.get("alert") == "KffApiBudgetBurn":
                    found[rule["labels"]["severity"]] = rule
    return found


def test_page_keeps_firing_1h_and_ticket_2h_by_default(tmp_path: Path) -> None:
    rules = _burn_rules(tmp_path)
    assert rules["critical"]["keep_firing_for"] == "1h"
    assert rules["warning"]["keep_firing_for"] == "2h"


def test_global_defaults_set_each_level(tmp_path: Path) -> None:
    rules = _burn_rules(tmp_path, "slo_alerting:\n  page: {keep_firing_for: 5m}\n"
                                  "  ticket: {keep_firing_for: 30m}\n")
    assert rules["critical"]["keep_firing_for"] == "5m"
    assert rules["warning"]["keep_firing_for"] == "30m"


def test_an_slo_level_wins_over_the_global_default(tmp_path: Path) -> None:
    rules = _burn_rules(tmp_path, "slo_alerting:\n  ticket: {keep_firing_for: 30m}\n",
                        "    alerting:\n      page: {keep_firing_for: 0s}\n"
                        "      ticket: {keep_firing_for: 1h}\n")
    assert "keep_firing_for" not in rules["critical"]
    assert rules["warning"]["keep_firing_for"] == "1h"


def test_generated_tests_check_the_hold_after_the_burn_stops(tmp_path: Path) -> None:
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n")
    (specs / "kff.yaml").write_text(SPEC.format(alerting=""))
    model = pipeline.compile_specs(specs, None, tmp_path)
    tests = [t for text in unit_tests.render(model).values()
             for t in yaml.safe_load(text)["tests"]]
    held = {level: [t for t in tests if f"KffApiBudgetBurn {level} keeps firing {keep} after "
                    "its burn stops" in t["name"]]
            for level, keep in (("page", "1h"), ("ticket", "2h"))}
    assert [len(h) for h in held.values()] == [1, 1]
    # Counted (the level cases spell out the alerts' labels and texts): firing alerts by
    # severity at each check time.
    severities = {}
    for level, (case,) in held.items():
        checks = [c for c in case["promql_expr_test"] if "KffApiBudgetBurn" in c["expr"]]
        severities[level] = [sorted(re.search(r'severity="(\w+)"', s["labels"]).group(1)
                                    for s in c["exp_samples"]) for c in checks]
    # The page: still firing 59m after its condition's end (the 30m median drops 15m after the
    # burn), resolved 1h1m after it; the ticket, held 2h, fires at both.
    assert severities["page"] == [["critical", "warning"], ["warning"]]
    # The ticket: still firing 1h59m after its condition's end (its 6h median drops 3h after
    # the burn), resolved 2h1m after it, when the page has long resolved.
    assert severities["ticket"] == [["warning"], []]
