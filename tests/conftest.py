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
    """Grafana's patched OpenAPI spec (tests/grafana_schema.py); skipped when the file is absent."""
    from tests.grafana_schema import SPEC_PATH, load_grafana_spec

    if not SPEC_PATH.is_file():
        where = SPEC_PATH.relative_to(ROOT.parent)
        pytest.skip(f"Grafana OpenAPI spec not found at <repo>/../{where}")
    return load_grafana_spec(SPEC_PATH)
