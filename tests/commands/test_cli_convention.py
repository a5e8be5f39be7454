"""One CLI convention (docs/cli.md): the same report flags on every reporting command, one
exit-code table, a versioned JSON envelope whose exit_code is the process's, fast --help.

Codes that need a live Prometheus with history (verify 0/1, status 0, gate 0/1/3) are tested
in tests/live/; apply's remote failures in tests/apply/; 70 in test_internal_error.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from generator import cli
from generator.cli import main
from generator.validate.processes import free_port
from tests.conftest import ROOT, TESTDATA

REPORTING = ("generate", "validate", "diff", "test", "apply", "verify", "status", "gate",
             "health", "backtest")
SPECS = TESTDATA / "docs" / "in"


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", REPORTING)
def test_every_reporting_command_takes_format_output_file(command: str) -> None:
    options = {opt: a for a in _subparsers()[command]._actions for opt in a.option_strings}
    assert {"text", "json", "markdown"} <= set(options["--format"].choices or ())
    assert options["-o"] is options["--output"]
    assert options["--output"].type is Path
    assert options["-q"] is options["--quiet"]


def test_register_time_constants_match_the_stages_they_mirror() -> None:
    from generator.apply.changes import Refresh
    from generator.commands import apply, generate, live_args, verify
    from generator.live import client
    from generator.live import verify as live_verify
    from generator.specfile.models import RuleFormat

    assert tuple(f.value for f in RuleFormat) == generate.RULE_FORMATS
    assert live_args.DEFAULT_TIMEOUT == client.DEFAULT_TIMEOUT
    assert verify.DEFAULT_MAX_SERIES == live_verify.DEFAULT_MAX_SERIES
    assert tuple(r.value for r in Refresh) == apply.REFRESH_MODES


def test_help_shows_the_exit_code_table(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for line in ("  2   usage or spec error", "  3   gate: roll back",
                 "--format text|json|markdown, -o/--output FILE"):
        assert line in out


def test_help_and_version_load_no_pipeline_or_heavy_library() -> None:
    """What keeps `slogen --help` fast (bench/bench_cli.py measures the time)."""
    env = dict(os.environ) | {"PYTHONPATH": str(ROOT)}
    for args in (["--help"], ["--version"]):
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "generator", *args],
                              env=env, capture_output=True, text=True, check=True)
        loaded = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                  if line.startswith("import time:")}
        heavy = {"pydantic", "rich", "requests", "ruamel.yaml", "grafanalib", "orjson",
                 "generator.pipeline", "generator.core.model"}
        assert not heavy & loaded, (args, sorted(heavy & loaded))


# --- exit codes, with the JSON envelope carrying the same code ------------------------------

def _documented() -> dict[str, set[str]]:
    """The data keys docs/cli.md lists per command (the backticked words of its row)."""
    rows = {}
    for line in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `(\w+)` \| (.*) \|$", line)
        if match:
            rows[match[1]] = set(re.findall(r"`(\w+)`", match[2]))
    return rows


DOCUMENTED = _documented()


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main([*argv, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "slogen-cli/v1"
    assert doc["exit_code"] == code
    assert doc["command"] == argv[0]
    keys = set(doc["data"])
    if keys not in ({"errors"}, {"error"}):  # failures share one documented shape
        assert keys <= DOCUMENTED[argv[0]], f"{argv[0]}: undocumented {keys - DOCUMENTED[argv[0]]}"
    return code, doc


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the docs test specs committed and generated out/."""
    root = tmp_path / "repo"
    shutil.copytree(SPECS, root / "slos")
    monkeypatch.chdir(root)
    assert main(["generate", "--out", "out", "--skip-checks", "-q"]) == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    return root


def _break(repo: Path) -> None:
    spec = repo / "slos" / "checkout.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 100.5"))


def _change(repo: Path) -> None:
    spec = repo / "slos" / "checkout.yaml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.95"))


def test_generate_exit_codes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _json(capsys, "generate", "--check")
    assert code == 0 and doc["data"]["checked"] is True  # type: ignore[index]
    _change(repo)
    code, doc = _json(capsys, "generate", "--check")
    assert code == 1
    assert "prometheus/checkout.rules.yaml" in doc["data"]["changed"]  # type: ignore[index]
    _break(repo)
    code, doc = _json(capsys, "generate", "--check")
    assert code == 2
    [error] = doc["data"]["errors"]  # type: ignore[index]
    assert error.startswith("slos/checkout.yaml:") and "objective" in error


def test_generate_writes_and_reports_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _change(repo)
    code, doc = _json(capsys, "generate", "--skip-checks")
    assert code == 0
    assert "prometheus/checkout.rules.yaml" in doc["data"]["changed"]  # type: ignore[index]


def test_generate_old_rule_layout_flag_still_works_with_a_warning(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--skip-checks", "--format", "mimir"]) == 0
    captured = capsys.readouterr()
    assert "--format mimir is deprecated; use --rule-format mimir" in captured.err
    assert (repo / "out" / "prometheus" / "mimir").is_dir()


def test_validate_exit_codes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _json(capsys, "validate")
    assert code == 0 and doc["data"]["services"] == 1  # type: ignore[index]
    _break(repo)
    assert _json(capsys, "validate")[0] == 2


def test_diff_exit_codes_and_output_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _json(capsys, "diff", "main")[0] == 0
    _change(repo)
    code, doc = _json(capsys, "diff", "main")
    assert code == 1
    assert {"section": "SLOs", "id": "checkout-availability", "status": "changed",
            "fields": [{"field": "objective", "old": "99.9%", "new": "99.95%"}]} in \
        doc["data"]["objects"]  # type: ignore[index]
    assert main(["diff", "main", "-o", "diff.md"]) == 1
    assert (repo / "diff.md").read_text().startswith("## slogen diff: `main` -> work tree")
    assert _json(capsys, "diff", "no-such-ref")[0] == 2


@pytest.mark.promtool
def test_test_exit_codes(repo: Path, capsys: pytest.CaptureFixture[str], promtool: str) -> None:
    code, doc = _json(capsys, "test", "--promtool", promtool)
    assert code == 0 and doc["data"]["failed"] == 0  # type: ignore[index]
    test_file = repo / "out" / "prometheus" / "tests" / "checkout.test.yaml"
    test_file.write_text(test_file.read_text().replace("exp_alerts: []", "exp_alerts: [{}]", 1))
    code, doc = _json(capsys, "test", "--promtool", promtool, str(test_file))
    assert code == 1
    assert doc["data"]["files"][0]["ok"] is False  # type: ignore[index]
    assert _json(capsys, "test", "--out", "nowhere", "--promtool", promtool)[0] == 2


def test_live_commands_exit_4_without_prometheus_and_2_on_usage(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    for command in (["verify"], ["status"]):
        code, doc = _json(capsys, *command, "--prometheus", closed)
        assert code == 4, command
        assert "cannot reach Prometheus" in str(doc["data"])
    code, doc = _json(capsys, "gate", "--prometheus", closed, "--service", "checkout")
    assert code == 2  # no policies: a spec problem, never "hold"
    assert "declares no policies" in str(doc["data"])
    for command in ("verify", "status"):
        assert _json(capsys, command, "--prometheus", closed, "--service", "nope")[0] == 2


def test_health_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "c.db"
    sqlite3.connect(db).executescript("CREATE TABLE t (v INT); INSERT INTO t VALUES (1);")
    config = tmp_path / "config.yaml"
    config.write_text(f"""\
version: slogen-exporter/v1
databases: {{local: {{url: "sqlite:///{db}"}}}}
checks:
  - {{id: shop-t, service: shop, name: t, help: Rows., database: local, every: 1m,
     timeout: 5s, sql: SELECT count(*) AS value FROM t,
     values: [{{column: value, metric: slogen_check_t}}], alert: {{below: MIN}}}}
""")
    text = config.read_text()
    config.write_text(text.replace("MIN", "1"))
    code, doc = _json(capsys, "health", "--config", str(config), "--once")
    assert code == 0 and doc["data"]["passed"] == 1  # type: ignore[index]
    config.write_text(text.replace("MIN", "5"))
    code, doc = _json(capsys, "health", "--config", str(config), "--once")
    assert code == 1 and doc["data"]["checks"][0]["status"] == "fail"  # type: ignore[index]
    assert _json(capsys, "health", "--config", str(config), "--once", "--service", "x")[0] == 2


def test_apply_without_a_target_is_a_usage_error(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRAFANA_URL", raising=False)
    code, doc = _json(capsys, "apply", "--dry-run")
    assert code == 2 and "nothing to apply to" in str(doc["data"])


def test_backtest_bad_incidents_are_a_usage_error(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "series.om").write_text("up 1 0\n# EOF\n")
    (repo / "incidents.yaml").write_text("- {start: yesterday}\n")
    code, doc = _json(capsys, "backtest", "--series", "series.om",
                      "--incidents", "incidents.yaml")
    assert code == 2 and "incidents.yaml" in str(doc["data"])


def test_markdown_format_gives_markdown(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("### slogen validate\n\n- services: 1\n")
