"""`slogen diff`: compares specs at a git revision with the work tree, in a temporary repo."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import TESTDATA

SPECS = TESTDATA / "docs" / "in"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repo whose first commit holds the docs test specs in slos/."""
    root = tmp_path / "repo"
    shutil.copytree(SPECS, root / "slos")
    _git(tmp_path, "init", "-q", "-b", "main", str(root))
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    monkeypatch.chdir(root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["diff", *args])
    return code, capsys.readouterr().out


def test_no_change_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _diff(capsys)
    assert code == 0
    assert "No changes to SLOs, alerts, routes or generated files." in out


def test_changes_are_listed_per_object_with_old_and_new_values(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svc, gl = repo / "slos" / "checkout.yaml", repo / "slos" / "_global.yaml"
    _edit(svc, "objective: 99.9", "objective: 99.95")
    _edit(svc, "      critical: {above: 1000, for: 2m}", "      critical: {above: 500, for: 1m}")
    _edit(gl, "critical: {receivers: [pager], group_wait: 10s}",
          "critical: {receivers: [pager, chat], group_wait: 10s}")
    before = (_git(repo, "rev-parse", "HEAD"), _git(repo, "status", "--porcelain"))
    code, out = _diff(capsys, "main")
    assert code == 1
    assert "| changed | `checkout-availability` | objective: 99.9% -> 99.95% |" in out
    assert ("| changed | `checkout/QueueDepth/critical` | fires when: `checkout_queue_depth` is "
            "above 1000 -> `checkout_queue_depth` is above 500; for: 2m -> 1m; receivers: pager "
            "-> pager, chat; time to notify: 2m55s -> 1m55s |") in out
    assert "| changed | `severity critical` | receivers: pager -> pager, chat |" in out
    changed_files = next(line for line in out.splitlines() if line.startswith("- changed: "))
    assert "`docs/checkout.md`" in changed_files
    # The user's checkout is exactly as it was: same HEAD, same status.
    assert (_git(repo, "rev-parse", "HEAD"), _git(repo, "status", "--porcelain")) == before


def test_added_and_removed_alerts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svc = repo / "slos" / "checkout.yaml"
    text = svc.read_text()
    start = text.index("  - name: DiskFillsUp")
    end = text.index("  - name: QueueDepth")
    svc.write_text(text[:start] + text[end:] + "  - name: Down\n    absent: up{job=\"checkout\"}\n")
    code, out = _diff(capsys)
    assert code == 1
    assert "### Alerts (1 added, 1 removed)" in out
    assert "| removed | `checkout/DiskFillsUp/warning` | - |" in out
    assert ("| added | `checkout/Down/warning` | kind: absent; "
            "fires when: `up{job=\"checkout\"}` has no data;") in out


def test_spec_dir_missing_at_base_shows_everything_added(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(repo / "slos", repo / "more")
    code, out = _diff(capsys, "--specs", "more")
    assert code == 1
    assert "| added | `checkout-availability` |" in out


def test_unknown_ref_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "no-such-ref"]) == 2
    assert "no-such-ref" in capsys.readouterr().err


def test_changed_dashboards_are_listed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svc = repo / "slos" / "checkout.yaml"
    svc.write_text(svc.read_text() + "dashboard:\n  title: Checkout at a glance\n")
    code, out = _diff(capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("| changed | `slogen-checkout` |"))
    assert "title: checkout service level -> Checkout at a glance" in line
    assert "dashboard settings: #" in line
