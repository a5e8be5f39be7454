"""The automation entry points: pre-commit hooks (run by the real pre-commit) and the CI script.

Both work on a temporary git repository holding the docs test specs in slos/ and their output
in out/, as a user's repository would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import TESTDATA

ROOT = Path(__file__).resolve().parent.parent
SPECS = TESTDATA / "docs" / "in"
HOOK_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "generator", ".pre-commit-hooks.yaml")
GIT_USER = ("-c", "user.name=t", "-c", "user.email=t@example.com")


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *GIT_USER, *args], check=True,
                          capture_output=True, text=True).stdout.strip()


def _generate(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert main(["generate", "--specs", "slos", "--out", "out", "--skip-checks"]) == 0


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def user_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose main branch holds slos/ and the matching out/."""
    repo = tmp_path / "user"
    shutil.copytree(SPECS, repo / "slos")
    _generate(repo, monkeypatch)
    _git(tmp_path, "init", "-q", "-b", "main", str(repo))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "specs and output")
    return repo


# --- pre-commit -----------------------------------------------------------------------------

def _hook_repo(tmp_path: Path) -> tuple[Path, str]:
    """A git repository of the current sources, as pre-commit clones a hook repository."""
    repo = tmp_path / "hooks"
    for name in HOOK_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            repo.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    _git(tmp_path, "init", "-q", "-b", "main", str(repo))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "hooks")
    return repo, _git(repo, "rev-parse", "HEAD")


def _pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # Its own cache (a hook environment per test session); the tested dependency versions.
    env |= {"PRE_COMMIT_HOME": str(home), "PIP_CONSTRAINT": str(ROOT / "constraints.txt")}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files",
                           "--color", "never"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=900, check=False)


@pytest.mark.slow
def test_pre_commit_hooks_pass_then_catch_a_stale_out_and_a_spec_error(
        user_repo: Path, tmp_path: Path) -> None:
    hooks, rev = _hook_repo(tmp_path)
    (user_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n"
        "    hooks: [{id: slogen-validate}, {id: slogen-generate-check}]\n")
    _git(user_repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    clean = _pre_commit(user_repo, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.count("Passed") == 2

    _edit(user_repo / "slos" / "checkout.yaml", "objective: 99.9", "objective: 99.95")
    stale = _pre_commit(user_repo, home)
    assert stale.returncode == 1
    assert "slogen validate (specs load, resolve and route)" in stale.stdout
    assert "out is stale: run `slogen generate` and commit the result." in stale.stdout
    assert "M prometheus/checkout.rules.yaml" in stale.stdout

    _edit(user_repo / "slos" / "checkout.yaml", "objective: 99.95", "objective: 100.5")
    broken = _pre_commit(user_repo, home)
    assert broken.returncode == 1
    assert "slos/checkout.yaml:" in broken.stdout
    assert "objective" in broken.stdout


# --- the CI action's script -----------------------------------------------------------------

def _action(repo: Path, tmp_path: Path, **env: str) -> tuple[int, str, str, str]:
    """Run scripts/ci-action.sh; return exit code, stdout+stderr, job summary and outputs."""
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    for path in (summary, outputs):
        path.write_text("")
    full = dict(os.environ) | {
        "SLOGEN": f"{sys.executable} -m generator", "PYTHONPATH": str(ROOT),
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs),
        "SLOGEN_DIFF_FILE": str(tmp_path / "diff.md")} | env
    done = subprocess.run(["bash", str(ROOT / "scripts" / "ci-action.sh")], cwd=repo, env=full,
                          capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr, summary.read_text(), outputs.read_text()


def test_action_passes_an_unchanged_repository(user_repo: Path, tmp_path: Path) -> None:
    code, log, summary, outputs = _action(user_repo, tmp_path, SLOGEN_BASE_REF="main")
    assert code == 0, log
    assert outputs.splitlines() == ["stale=false", "changed=false",
                                    f"diff-file={tmp_path / 'diff.md'}"]
    assert "No changes to SLOs, alerts, routes or generated files." in summary


def test_action_summarises_a_change_and_comments_on_the_pull_request(
        user_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git(user_repo, "checkout", "-q", "-b", "change")
    _edit(user_repo / "slos" / "checkout.yaml", "objective: 99.9", "objective: 99.95")
    _generate(user_repo, monkeypatch)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # `gh` records what it was asked to post (the real one needs GitHub).
    (bin_dir / "gh").write_text(
        f'#!/bin/sh\necho "$@" > {tmp_path}/gh-args\ncat "$7" > {tmp_path}/gh-body\n')
    (bin_dir / "gh").chmod(0o755)
    code, log, summary, outputs = _action(
        user_repo, tmp_path, SLOGEN_BASE_REF="main", SLOGEN_COMMENT="true", SLOGEN_PR="7",
        PATH=f"{bin_dir}:{os.environ['PATH']}")
    assert code == 0, log
    assert "stale=false" in outputs and "changed=true" in outputs
    assert "99.9" in summary and "99.95" in summary
    assert (tmp_path / "gh-args").read_text().split() == [
        "pr", "comment", "7", "--edit-last", "--create-if-none", "--body-file",
        str(tmp_path / "diff.md")]
    assert (tmp_path / "gh-body").read_text() == (tmp_path / "diff.md").read_text()


def test_action_fails_when_out_is_stale(user_repo: Path, tmp_path: Path) -> None:
    _edit(user_repo / "slos" / "checkout.yaml", "objective: 99.9", "objective: 99.95")
    code, log, summary, outputs = _action(user_repo, tmp_path, SLOGEN_BASE_REF="main")
    assert code == 1, log
    assert "M prometheus/checkout.rules.yaml" in log
    assert "stale=true" in outputs and "changed=true" in outputs
    assert "`out` does not match the specs" in summary


def test_action_fetches_a_base_branch_the_checkout_lacks(
        user_repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(user_repo), str(clone))
    _git(user_repo, "branch", "release")  # exists on the remote only
    code, log, _, outputs = _action(clone, tmp_path, SLOGEN_BASE_REF="release")
    assert code == 0, log
    assert "changed=false" in outputs


def test_action_stops_on_a_spec_error(user_repo: Path, tmp_path: Path) -> None:
    _edit(user_repo / "slos" / "checkout.yaml", "objective: 99.9", "objective: 100.5")
    code, log, _, _ = _action(user_repo, tmp_path, SLOGEN_BASE_REF="main")
    assert code == 2
    assert "slos/checkout.yaml:" in log
