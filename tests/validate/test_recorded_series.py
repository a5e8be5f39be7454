"""The quick line scan of generated rule files finds exactly the records a YAML parse finds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from generator.validate.grafana import recorded_series
from tests.conftest import ROOT, TESTDATA


def _parsed(files: list[Path]) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("record"), str):
                found.add(node["record"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in files:
        for doc in YAML(typ="safe").load_all(path.read_text(encoding="utf-8")):
            walk(doc)
    return found


def test_line_scan_equals_yaml_parse_on_every_generated_rule_file() -> None:
    files = [p for root in (ROOT / "out", TESTDATA) for p in sorted(root.rglob("*.yaml"))
             if "prometheus" in p.parts and "tests" not in p.relative_to(root).parts[1:]
             and p.read_text(encoding="utf-8").find("groups:") >= 0]
    assert len(files) >= 5
    assert recorded_series(files) == _parsed(files)
