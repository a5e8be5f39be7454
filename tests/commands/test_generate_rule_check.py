"""A rule file promtool rejects stops the generate, whether the background runs or the final
trace find it; out/ is left as it was."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from generator import produce
from generator.cli import main
from tests.conftest import SPECS_DIR

SERVICE = "hive"


def _rejecting_promtool(tmp_path: Path) -> Path:
    """promtool, except that `check rules` fails whenever it is given the hive rule file."""
    real = shutil.which("promtool")
    assert real is not None
    script = tmp_path / "promtool"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = check ] && [ "$2" = rules ]; then\n'
        '  for f in "$@"; do case "$f" in *' + SERVICE + '.rules.yaml)\n'
        '    echo "  FAILED:"; echo "$f: group \\"x\\", rule 1, \\"x\\": rejected"; exit 1;;\n'
        "  esac; done\n"
        "fi\n"
        f'exec {real} "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.parametrize(("split", "while_rendering"),
                         [(False, False), (True, False), (True, True)])
def test_a_rule_file_promtool_rejects_fails_the_generate_and_names_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        split: bool, while_rendering: bool) -> None:
    if split:  # two render processes: the rule files are checked once they are all written
        monkeypatch.setattr(produce, "PARALLEL_MIN_SERVICES", 1)
    if while_rendering:  # ...or in background batches while they render (a core to spare)
        monkeypatch.setattr(produce, "BATCH_FILES", 2)
        monkeypatch.setattr(produce, "run_limit", lambda renderers: 2)
    specs = tmp_path / "slos"
    shutil.copytree(SPECS_DIR, specs)
    out = tmp_path / "out"
    assert main(["generate", "--specs", str(specs), "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("for: 15m", "for: 20m", 1),
                    encoding="utf-8")
    produce.cache_path(out).unlink()  # every rule file rendered and checked again
    capsys.readouterr()
    code = main(["generate", "--specs", str(specs), "--out", str(out),
                 "--promtool", str(_rejecting_promtool(tmp_path))])
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"prometheus/{SERVICE}.rules.yaml" in err and "rejected" in err, err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_the_last_rule_files_are_split_into_runs_of_about_equal_size(tmp_path: Path) -> None:
    sizes = [900, 100, 100, 100, 100, 450, 450, 50]
    files = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"s{i}.rules.yaml"
        path.write_bytes(b"#" * size)
        files.append(path)
    runs = produce._split(files, 2)
    assert sorted(p for run in runs for p in run) == sorted(files)  # each file once
    assert all(run == sorted(run, key=files.index) for run in runs)  # in the order given
    loads = [sum(p.stat().st_size for p in run) for run in runs]
    assert len(runs) == 2 and max(loads) - min(loads) <= 100, loads
    assert produce._split(files, 1) == [files]
    assert len(produce._split(files[:3], 8)) == 3  # never an empty run


def test_the_last_rule_files_go_to_at_most_max_final_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A machine (or a container seeing its host) with many processors: one promtool a core,
    # but never more runs, and Go heaps, than MAX_FINAL_RUNS.
    started: list[list[Path]] = []

    class Run:
        returncode = 0

        def communicate(self, timeout: float | None = None) -> tuple[bytes, bytes]:
            return b"", b""

    def start(files: list[Path], promtool: str) -> Run:
        started.append(list(files))
        return Run()

    monkeypatch.setattr(produce, "usable_cpus", lambda: 64)
    monkeypatch.setattr(produce.promtool_mod, "start_check_rules", start)
    check = produce.RuleCheck("promtool", limit=0)
    files = []
    for i in range(40):
        path = tmp_path / f"s{i}.rules.yaml"
        path.write_bytes(b"#" * (i + 1))
        files.append(path)
        check.add(path)
    assert not started  # nothing runs while rendering when no core is free
    assert check.finish()
    assert len(started) == produce.MAX_FINAL_RUNS
    assert sorted(p for run in started for p in run) == sorted(files)
