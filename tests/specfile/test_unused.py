"""Declared-but-unused global entries are located warnings, never errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from tests.conftest import TESTDATA

GOOD = TESTDATA / "spec" / "good"


def _warnings(tmp_path: Path, old: str, new: str) -> list[str]:
    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    path = spec_dir / "_global.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return [str(w) for w in pipeline.compile_specs(spec_dir, None, tmp_path).warnings]


def test_the_good_spec_has_no_warnings(tmp_path: Path) -> None:
    assert _warnings(tmp_path, "version: slogen/v1", "version: slogen/v1") == []


@pytest.mark.parametrize("old, new, expected", [
    pytest.param("routing:", "  - name: spare\n    webhook: {url: \"http://127.0.0.1:9/\"}\nrouting:",
                 "slos/_global.yaml:8:11: receivers[2].name: warning: receiver 'spare' is "
                 "declared but no route sends to it", id="a receiver no route sends to"),
    pytest.param("  main:\n", "  spare:\n    url: ${SPARE_DB_URL}\n  main:\n",
                 "slos/_global.yaml:23:3: databases.spare: warning: database 'spare' is declared "
                 "but no health check uses it", id="a database no check queries"),
    pytest.param("    - {uid: slos, title: Service Levels}",
                 "    - {uid: slos, title: Service Levels}\n    - {uid: unused, title: Unused}",
                 "slos/_global.yaml:18:13: grafana.folders[1].uid: warning: folder 'unused' is "
                 "declared but nothing is put in it", id="a folder nothing goes into"),
    pytest.param("databases:", "    - {uid: prom2, name: Other, type: prometheus, "
                 "url: \"http://127.0.0.1:9091\"}\ndatabases:",
                 "slos/_global.yaml:22:13: grafana.datasources[2].uid: warning: datasource "
                 "'prom2' is declared but nothing queries it", id="a datasource nothing queries"),
    pytest.param("grafana:", "  time_intervals:\n    nights: [{times: [{start: '22:00', "
                 "end: '24:00'}]}]\ngrafana:",
                 "slos/_global.yaml:16:5: routing.time_intervals.nights: warning: time interval "
                 "'nights' is not used by any route", id="a time interval no route uses"),
])
def test_unused_entry_is_a_located_warning(tmp_path: Path, old: str, new: str,
                                           expected: str) -> None:
    assert _warnings(tmp_path, old, new) == [expected]


def test_warnings_do_not_fail_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    path = spec_dir / "_global.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  main:\n", "  spare:\n    url: ${SPARE_DB_URL}\n  main:\n"), encoding="utf-8")
    assert main(["validate", "--specs", str(spec_dir), "--promtool", "promtool"]) == 0
    assert "warning: database 'spare' is declared but no health check uses it" in (
        capsys.readouterr().err)
