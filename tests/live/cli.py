"""Run `slogen` in-process against the reference specs and capture what it prints."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from generator import pipeline
from generator.cli import main
from tests.conftest import ROOT, SPECS_DIR


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


def where(path: str) -> str:
    """`file:line:column: path` of a spec path in the reference genesis spec, so tests keep
    passing when lines above it move."""
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    genesis = model.service("genesis")
    sources = [src for src, _ in model.expressions]
    sources += [s.source for s in genesis.slos]
    sources += [t.source for p in genesis.policies for t in p.triggers]
    sources += [p.source for p in genesis.policies]
    for src in sources:
        if src.file == genesis.source_file and src.path == path:
            return src.prefix()
    slo_path, _, rest = path.partition(".")
    for slo in genesis.slos:
        if slo.source.path == slo_path and rest:
            return f"{slo.source.prefix()}.{rest}"
    raise KeyError(path)
