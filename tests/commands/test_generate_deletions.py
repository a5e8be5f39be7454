"""File provisioning converges too: `generate` writes deleteRules / deleteContactPoints for what
the previous generation (out/ as committed) provisioned and the specs no longer declare."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from generator.cli import main
from tests.conftest import TESTDATA
from tests.grafana_schema import GrafanaSpec

RULES = Path("grafana/provisioning/alerting/rules.yaml")
POINTS = Path("grafana/provisioning/alerting/contact-points.yaml")
GLOBAL_WITH_PAGER = """
  - name: pager
    webhook: {url: "https://pager.example.com/hook"}
"""


def _generate(specs: Path, out: Path, *extra: str) -> int:
    return main(["generate", "--specs", str(specs), "--out", str(out), "--skip-checks", *extra])


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _drop(path: Path, start: str, end: str) -> None:
    """Remove the lines from the one starting with `start` up to (not including) `end`."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(start, 1)
    path.write_text(head + end + rest.split(end, 1)[1], encoding="utf-8")


def test_dropped_rules_and_contact_points_are_deleted_by_the_files(
        tmp_path: Path, grafana_spec: GrafanaSpec) -> None:
    specs, out = tmp_path / "slos", tmp_path / "out"
    shutil.copytree(TESTDATA / "grafana" / "in", specs)
    glob = specs / "_global.yaml"
    glob.write_text(glob.read_text().replace("receivers:\n", "receivers:" + GLOBAL_WITH_PAGER, 1))
    assert _generate(specs, out) == 0
    first = _yaml(out / RULES)
    assert "deleteRules" not in first
    uids = {r["uid"] for g in first["groups"] for r in g["rules"]}
    gone = next(u for u in uids if "pendingordersodd" in u)

    _drop(specs / "checkout.yaml", "  - name: PendingOrdersOdd", "  - name: PaymentsHalted")
    glob.write_text(glob.read_text().replace(GLOBAL_WITH_PAGER, "\n", 1))
    assert _generate(specs, out) == 0
    rules, points = _yaml(out / RULES), _yaml(out / POINTS)
    assert rules["deleteRules"] == [{"orgId": 1, "uid": gone}]
    assert gone not in {r["uid"] for g in rules["groups"] for r in g["rules"]}
    assert points["deleteContactPoints"] == [{"orgId": 1, "uid": "slogen-pager"}]
    grafana_spec.validate_body("AlertingFileExport", rules)
    grafana_spec.validate_body("AlertingFileExport", points)

    # Stable: the next generation keeps the entries (a Grafana may have missed one), and the
    # committed out/ is up to date.
    assert _generate(specs, out, "--check") == 0
    assert _generate(specs, out) == 0
    assert _yaml(out / RULES)["deleteRules"] == [{"orgId": 1, "uid": gone}]


def test_a_rule_declared_again_leaves_the_delete_list(tmp_path: Path) -> None:
    specs, out = tmp_path / "slos", tmp_path / "out"
    shutil.copytree(TESTDATA / "grafana" / "in", specs)
    original = (specs / "checkout.yaml").read_text()
    assert _generate(specs, out) == 0
    _drop(specs / "checkout.yaml", "  - name: PendingOrdersOdd", "  - name: PaymentsHalted")
    assert _generate(specs, out) == 0
    assert _yaml(out / RULES)["deleteRules"]
    (specs / "checkout.yaml").write_text(original)
    assert _generate(specs, out) == 0
    assert "deleteRules" not in _yaml(out / RULES)
