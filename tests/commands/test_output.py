"""The shared reporting convention: JSON envelope, generic Markdown, -o FILE, progress on TTYs."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from generator.commands import output
from generator.commands.progress import Progress


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    output.add_output_args(parser)
    return parser.parse_args(argv)


def test_json_envelope_is_versioned_and_carries_the_exit_code() -> None:
    doc = json.loads(output.json_document("verify", 1, {"misses": [{"metric": "up"}]}))
    assert doc == {"format": "slogen-cli/v1", "command": "verify", "exit_code": 1,
                   "data": {"misses": [{"metric": "up"}]}}


def test_generic_markdown_lists_scalars_and_tabulates_records() -> None:
    text = output.markdown_document("slogen health", {
        "failed": 1, "checks": [{"check": "a", "status": "ok"}, {"check": "b|c", "status": "x"}]})
    assert text == ("### slogen health\n\n- failed: 1\n\n#### checks\n\n| check | status |\n"
                    "|---|---|\n| a | ok |\n| b\\|c | x |\n")


def test_report_writes_the_chosen_format_to_the_output_file(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    code = output.report(_args("--format", "json", "-o", str(target)), "test", 1, {"n": 2},
                         lambda: "text\n")
    assert code == 1
    assert json.loads(target.read_text())["data"] == {"n": 2}


def test_text_goes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    output.report(_args(), "test", 0, {}, lambda: "all good\n")
    assert capsys.readouterr().out == "all good\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_only() -> None:
    tty, pipe = _Tty(), io.StringIO()
    for stream in (tty, pipe):
        progress = Progress(stream)
        with progress.task("running tests", total=2) as bar:
            bar.advance(description="a.test.yaml")
            bar.note("retrying GET /api/health (1 of 5)")
            bar.advance()
    assert "retrying GET /api/health (1 of 5)" in tty.getvalue()
    assert "a.test.yaml" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_quiet_turns_progress_off() -> None:
    assert Progress.of(_args("--quiet")).enabled is False


@pytest.mark.parametrize("where", [".", "notes.txt/report.json", "missing/report.json"])
def test_an_unwritable_report_path_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             where: str) -> None:
    # -o naming a directory, a path under a file or in a missing directory was an internal
    # error (IsADirectoryError and the like), with a traceback once the JSON error document
    # hit the same path.
    from generator.cli import main
    from tests.conftest import TESTDATA

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    target = tmp_path / where
    code = main(["validate", "--specs", str(TESTDATA / "spec" / "good"), "--format", "json",
                 "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(f"slogen: -o {target}: cannot write the report: "), err
    assert err.rstrip().endswith("give the path of a file in an existing directory")
    assert "Traceback" not in err and "internal error" not in err
