"""Progress is drawn on a terminal (stderr a TTY) and nowhere else: not in pipes, not with -q.

Runs slogen in a child process whose stderr is a pseudo-terminal, as a person's shell is.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT, TESTDATA


def _run(args: list[str], cwd: Path, tty: bool) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `slogen ARGS`, stderr on a pseudo-terminal if `tty`."""
    env = dict(os.environ) | {"PYTHONPATH": str(ROOT), "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    if not tty:
        done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = proc.stdout.read() if proc.stdout else ""
    code = proc.wait(timeout=300)
    os.close(master)
    return code, out, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(TESTDATA / "docs" / "in", tmp_path / "slos")
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "--skip-checks", "-q"]) == 0
    return tmp_path


@pytest.mark.promtool
def test_test_shows_each_file_on_a_terminal_only(generated: Path) -> None:
    code, out, err = _run(["test"], generated, tty=True)
    assert code == 0, out + err
    assert "promtool test rules" in err
    assert "checkout.test.yaml ok" in err or "checkout.long.test.yaml ok" in err
    assert "test files passed." in out
    code, out, err = _run(["test"], generated, tty=False)
    assert code == 0
    assert err == ""
    assert out.splitlines()[-1] == "2 of 2 test files passed."
    code, _, err = _run(["test", "--quiet"], generated, tty=True)
    assert code == 0
    assert "promtool test rules" not in err


def test_generate_names_its_stages_on_a_terminal_only(generated: Path) -> None:
    shutil.rmtree(generated / "out")  # else the generate is a no-op, with no stages to show
    code, out, err = _run(["generate", "--skip-checks"], generated, tty=True)
    assert code == 0, out + err
    assert "loading and resolving specs" in err or "rendering 1 SLOs" in err
    assert out.startswith("wrote out:")
    code, out, err = _run(["generate", "--skip-checks"], generated, tty=False)
    assert (code, err) == (0, "")
