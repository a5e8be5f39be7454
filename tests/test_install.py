"""`pip install .` into an empty virtualenv gives a `slogen` that compiles the reference specs.

The package is built from a copy of the sources (a build in the work tree would leave build/
behind) with the tested versions from constraints.txt and no extras: generating rules must
need only the core dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "constraints.txt", "generator")


def _run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding `pip install .` of the work tree; returns its bin/."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    venv = base / "venv"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base)
    assert made.returncode == 0, made.stderr
    # The running pip installs into the new environment: no pip bootstrap per test run.
    pip = _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
               "-q", "-c", source / "constraints.txt", source, cwd=base)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return venv / "bin"


@pytest.mark.slow
def test_installed_slogen_reports_its_version(installed: Path) -> None:
    done = _run(installed / "slogen", "--version", cwd=installed)
    assert (done.returncode, done.stdout.strip()) == (0, "slogen 0.1.0")


@pytest.mark.slow
def test_installed_slogen_generates_the_committed_output(installed: Path) -> None:
    # From the repository root, as paths in the output are relative to it; the console script
    # imports the installed package, not ./generator (its sys.path starts at the venv's bin/).
    done = _run(installed / "slogen", "generate", "--specs", "slos", "--out", "out", "--check",
                cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is up to date" in done.stdout
    assert done.stderr == ""  # the reference specs compile without a warning


@pytest.mark.slow
def test_installed_package_runs_from_the_venv_without_optional_extras(installed: Path) -> None:
    probe = ("import generator, importlib.util as u; print(generator.__file__); "
             "print(all(u.find_spec(m) is None "
             "for m in ('_jsonnet', 'sqlalchemy', 'psycopg', 'pymysql')))")
    done = _run(installed / "python", "-c", probe, cwd=installed)
    location, no_extras = done.stdout.split()
    assert Path(location).is_relative_to(installed.parent)
    assert no_extras == "True"  # neither the jsonnet nor the exporter extra came along


@pytest.mark.slow
def test_installed_metadata_carries_the_spdx_license_and_its_text(installed: Path) -> None:
    dist = next(installed.parent.glob("lib/python*/site-packages/slogen-*.dist-info"))
    assert "License-Expression: Apache-2.0" in (dist / "METADATA").read_text()
    assert (dist / "licenses" / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
