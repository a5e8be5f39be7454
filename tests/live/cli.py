"""Run `slogen` in-process against the reference specs and capture what it prints."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from generator.cli import main
from tests.conftest import SPECS_DIR


@dataclass(frozen=True)
class Result:
    """Exit code and output of one run."""

    code: int
    out: str
    err: str


def slogen(capsys: pytest.CaptureFixture[str], *args: str, specs: str = str(SPECS_DIR)) -> Result:
    """Run one command with `--specs` set; return its exit code and output."""
    command, *rest = args
    code = main([command, "--specs", specs, *rest])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
