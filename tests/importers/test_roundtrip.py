"""import -> export openslo -> import is a fixpoint: every field OpenSLO can hold comes back
the same, and exporting the re-imported specs gives the same documents again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.cli import main
from generator.commands.import_specs import import_paths
from generator.importers.writer import spec_text
from tests.conftest import TESTDATA
from tests.importers.test_corpus import CASES, CORPUS

SOURCES = [pytest.param(fmt, CORPUS / fmt / name, id=f"{fmt}/{name}")
           for fmt, name, code, expected in CASES if code < 2 and expected]
SOURCES += [pytest.param("openslo", TESTDATA / "importers" / "cases" / name,
                         id=f"openslo/cases/{name}")
            for name in ("split", "timeslices.yaml", "threshold.yaml", "refused.yaml")]


def _write(fmt: str, paths: list[Path], out: Path) -> None:
    converted, report = import_paths(fmt, paths)
    assert report.exit_code() < 2
    out.mkdir()
    (out / "_global.yaml").write_text("version: slogen/v1\n")
    for item in converted:
        (out / f"{item.service}.yaml").write_text(spec_text(item, "test"))


def _fields(specs: Path, openslo_source: bool) -> dict[str, Any]:
    """What OpenSLO can hold of every service and SLO, as slogen resolved it."""
    model = pipeline.compile_specs(specs, None)
    out: dict[str, Any] = {}
    for service in model.services:
        out[service.name] = (service.team, service.description, dict(service.labels))
        for slo in service.slos:
            windows = [(w.level, w.long, w.short, w.factor, w.for_) for w in slo.burn_windows]
            out[slo.id] = (slo.objective, slo.window, slo.description, slo.sli.errors_query,
                           slo.sli.total_query, windows if openslo_source else None)
    return out


@pytest.mark.parametrize(("fmt", "source"), SOURCES)
def test_export_then_import_is_a_fixpoint(tmp_path: Path, fmt: str, source: Path) -> None:
    _write(fmt, [source], tmp_path / "first")
    assert main(["export", "openslo", "--specs", str(tmp_path / "first"),
                 "--out", str(tmp_path / "first.openslo.yaml")]) == 0
    _write("openslo", [tmp_path / "first.openslo.yaml"], tmp_path / "second")
    # Sloth and Pyrra alerting names, labels and severities have no OpenSLO field.
    same_windows = fmt == "openslo"
    assert _fields(tmp_path / "second", same_windows) == _fields(tmp_path / "first", same_windows)
    assert main(["export", "openslo", "--specs", str(tmp_path / "second"),
                 "--out", str(tmp_path / "second.openslo.yaml")]) == 0
    assert ((tmp_path / "second.openslo.yaml").read_text()
            == (tmp_path / "first.openslo.yaml").read_text())


def test_the_example_specs_export_and_come_back(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    slos = Path(__file__).resolve().parents[2] / "slos"
    assert main(["export", "openslo", "--specs", str(slos), "--out",
                 str(tmp_path / "first.yaml")]) == 0
    assert "alerts are not SLOs; not exported" in capsys.readouterr().err
    _write("openslo", [tmp_path / "first.yaml"], tmp_path / "again")
    assert main(["export", "openslo", "--specs", str(tmp_path / "again"), "--out",
                 str(tmp_path / "second.yaml")]) == 0
    assert (tmp_path / "second.yaml").read_text() == (tmp_path / "first.yaml").read_text()
    original = pipeline.compile_specs(slos, None)
    again = pipeline.compile_specs(tmp_path / "again", None)
    for service in again.services:
        for slo in service.slos:
            source = next(s for s in original.service(service.name).slos if s.id == slo.id)
            assert (slo.objective, slo.window) == (source.objective, source.window)
            assert slo.sli.total("5m") == source.sli.total("5m")
