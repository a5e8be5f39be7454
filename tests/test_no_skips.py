"""A run with a skipped test fails: every test must run on a fresh clone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SKIPPING = "import pytest\n\ndef test_needs_a_tool():\n    pytest.skip('tool missing')\n"


def _pytest(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_one.py").write_text(SKIPPING, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:randomly",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path), *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_skipped_test_fails_the_run(tmp_path: Path) -> None:
    run = _pytest(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 test(s) skipped; every test must run" in run.stdout
    assert "test_one.py::test_needs_a_tool" in run.stdout


def test_allow_skips_accepts_them(tmp_path: Path) -> None:
    run = _pytest(tmp_path, "--allow-skips")
    assert run.returncode == 0, run.stdout + run.stderr
