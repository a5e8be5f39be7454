"""Rule files and Alertmanager config copied into place, then real servers reloaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from generator.cli import main
from tests.conftest import ROOT
from tests.processes import alertmanager, prometheus

pytestmark = pytest.mark.e2e
MINIMAL_AM = "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The reference rule files and Alertmanager config in a writable out/ tree."""
    dest = tmp_path / "out"
    shutil.copytree(ROOT / "out" / "prometheus", dest / "prometheus",
                    ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(ROOT / "out" / "alertmanager", dest / "alertmanager",
                    ignore=shutil.ignore_patterns("tests"))
    return dest


def _groups(url: str) -> set[str]:
    data = requests.get(f"{url}/api/v1/rules", timeout=5).json()["data"]["groups"]
    return {g["name"] for g in data}


def test_prometheus_picks_up_new_rules_and_a_rejected_reload_rolls_back(
        tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    config = tmp_path / "prometheus.yml"
    config.write_text(f"rule_files:\n  - {rules_dir}/*.rules.yaml\n")
    with prometheus(config, tmp_path) as prom:
        assert _groups(prom.url) == set()
        args = ["apply", "--out", str(out), "--rules-dir", str(rules_dir),
                "--prometheus-url", prom.url]
        assert main(args) == 0
        loaded = _groups(prom.url)
        assert len(loaded) >= 5 and len(list(rules_dir.glob("*.rules.yaml"))) == 5
        assert main(args) == 0
        assert "prometheus: 0 file(s) to change" in capsys.readouterr().out

        good = (out / "prometheus" / "hive.rules.yaml").read_text()
        (out / "prometheus" / "hive.rules.yaml").write_text(
            good + "- name: broken\n  rules:\n  - record: x\n    expr: sum(\n")
        assert main(args) == 1
        assert "prometheus rejected the reload; the previous files were restored" in (
            capsys.readouterr().out)
        assert (rules_dir / "hive.rules.yaml").read_text() == good
        assert _groups(prom.url) == loaded


def test_alertmanager_reloads_the_generated_config(tmp_path: Path, out: Path) -> None:
    am_dir = tmp_path / "am"
    am_dir.mkdir()
    (am_dir / "alertmanager.yml").write_text(MINIMAL_AM)
    with alertmanager(am_dir / "alertmanager.yml", tmp_path) as am:
        assert main(["apply", "--out", str(out), "--alertmanager-dir", str(am_dir),
                     "--alertmanager-url", am.url]) == 0
        status = requests.get(f"{am.url}/api/v2/status", timeout=5).json()
        assert "slack-critical" in status["config"]["original"]


def test_a_reload_url_without_a_scheme_is_a_usage_error_before_any_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules_dir = tmp_path / "rules"
    code = main(["apply", "--out", str(ROOT / "out"), "--rules-dir", str(rules_dir),
                 "--prometheus-url", "127.0.0.1:9090"])
    assert code == 2
    assert capsys.readouterr().err == (
        "slogen: Prometheus URL (--prometheus-url, PROMETHEUS_URL): '127.0.0.1:9090' is not an "
        "http(s) URL with a host, e.g. http://127.0.0.1:9090\n")
    assert not rules_dir.exists() or not any(rules_dir.iterdir())
