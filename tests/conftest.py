"""Shared fixtures: the golden-file flag, spec writers, and paths of external binaries."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.grafana_schema import GrafanaSpec

ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = ROOT / "slos"
TESTDATA = Path(__file__).resolve().parent / "testdata"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files under tests/testdata from the current output")
    parser.addoption("--allow-skips", action="store_true", default=False,
                     help="do not fail the run when tests are skipped (a missing tool, ...)")


_SKIPPED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember every skipped test (an expected failure is not a skip)."""
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is a test that did not run: fail the run unless --allow-skips.

    Every test must run on a fresh clone (tools are installed by `make setup`, data files live
    in tests/testdata), so a skip means something is missing, not that all is well.
    """
    if _SKIPPED and not session.config.getoption("--allow-skips") and exitstatus in (0, 5):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(f"{len(_SKIPPED)} test(s) skipped; every test must run "
                                f"(pass --allow-skips to accept that): {', '.join(_SKIPPED[:5])}",
                                red=True)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run should rewrite golden files instead of comparing."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[..., Path]:
    """Write a spec file (dedented YAML) into a fresh spec dir and return its path."""
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()

    def write(text: str, name: str = "svc.yaml") -> Path:
        path = spec_dir / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def promtool() -> str:
    """promtool's path; tests that need it are skipped with a reason when it is missing."""
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool not installed (Debian package prometheus)")
    return path


@pytest.fixture(scope="session")
def amtool() -> str:
    """amtool's path; skipped with a reason when missing."""
    path = shutil.which("amtool")
    if path is None:
        pytest.skip("amtool not installed (Debian package prometheus-alertmanager)")
    return path


@pytest.fixture(scope="session")
def grafana_spec() -> GrafanaSpec:
    """Grafana's patched OpenAPI spec (tests/grafana_schema.py), read from the repository."""
    from tests.grafana_schema import SPEC_PATH, load_grafana_spec

    return load_grafana_spec(SPEC_PATH)
