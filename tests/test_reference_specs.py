"""Every file in slos/ loads, builds and syntax-checks, and out/ matches what they generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import incremental, outdir, pipeline
from tests.conftest import ROOT, SPECS_DIR


@pytest.mark.promtool
def test_reference_specs_compile_with_promql_checked(promtool: str) -> None:
    model = pipeline.compile_specs(SPECS_DIR, promtool, ROOT)
    assert {s.name for s in model.services} == {
        "archon-intelligence", "devdiag", "genesis", "hive", "nba-prevention"}


def test_committed_out_matches_specs() -> None:
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    inputs = incremental.generation_inputs(SPECS_DIR, None, ROOT)
    changes = outdir.compare(ROOT / "out", pipeline.render(model), inputs)
    assert not changes, "out/ is stale; run `make generate`:\n" + "\n".join(changes.lines())


def test_generation_is_deterministic() -> None:
    first = pipeline.render(pipeline.compile_specs(SPECS_DIR, None, ROOT))
    second = pipeline.render(pipeline.compile_specs(SPECS_DIR, None, ROOT))
    assert first == second


def test_seed_003_declares_18_alerts_in_4_groups() -> None:
    genesis = pipeline.compile_specs(SPECS_DIR, None, ROOT).service("genesis")
    assert len(genesis.alerts) == 18
    assert {a.group for a in genesis.alerts} == {
        "genesis_critical", "genesis_warning", "genesis_performance", "genesis_health"}
    assert len(genesis.dashboard.panels) == 13


def test_seed_002_declares_5_grafana_alerts_and_10_checks() -> None:
    devdiag = pipeline.compile_specs(SPECS_DIR, None, ROOT).service("devdiag")
    assert [a.title for a in devdiag.grafana_alerts] == [
        "ConfidenceDrop", "HighDiversity", "RunsStalled", "TopProblemDominates", "TTRRegression"]
    assert len(devdiag.health_checks) == 10


def test_out_dir_is_not_touched_when_specs_are_broken(tmp_path: Path) -> None:
    from generator.cli import main

    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "x.yaml").write_text("version: slogen/v1\nservice: 1\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code = main(["generate", "--specs", str(tmp_path / "slos"), "--out", str(out)])
    assert code == 2
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
