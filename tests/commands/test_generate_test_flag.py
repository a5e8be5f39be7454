"""`generate` runs the generated promtool unit tests only with --test; their failure keeps out/."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.core.model import Model
from generator.validate import prometheus
from generator.validate.results import Problem, Tools
from tests.conftest import SPECS_DIR


def _failing_tests(staged: Path, model: Model, tools: Tools) -> list[Problem]:
    return [Problem("prometheus-tests", "prometheus/tests/genesis.test.yaml", "FAILED: alert X")]


def test_unit_tests_run_only_with_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(prometheus, "test_rule_files", _failing_tests)
    out = tmp_path / "out"
    assert main(["generate", "--specs", str(SPECS_DIR), "--out", str(out)]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())

    assert main(["generate", "--specs", str(SPECS_DIR), "--out", str(out), "--test"]) == 1
    assert "prometheus/tests/genesis.test.yaml: prometheus-tests failed:\nFAILED: alert X" in (
        capsys.readouterr().err)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == written
