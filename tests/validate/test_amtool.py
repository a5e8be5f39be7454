"""amtool checks inside `slogen generate`: check-config, generated routing tests, routing lint."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from generator.commands.common import EXIT_FAILED, EXIT_OK
from generator.core.model import Model
from generator.targets.alertmanager.config import CONFIG_PATH, ROUTING_TESTS_PATH
from generator.validate.amtool import check_alertmanager, load_route_tests
from generator.validate.results import Tools
from tests.conftest import ROOT, SPECS_DIR
from tests.routing_specs import GLOBAL, compile_model

pytestmark = pytest.mark.amtool

REFERENCE_SERVICES = ["archon-intelligence", "devdiag", "genesis", "hive", "nba-prevention"]


def _write(model: Model, out: Path) -> Path:
    for rel, text in pipeline.render(model, frozenset({"alertmanager"})).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    return out


def test_reference_specs_pass_check_config_and_every_routing_test(tmp_path: Path,
                                                                   amtool: str) -> None:
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    out = _write(model, tmp_path)
    # Every route, and one case per service and distinct routing of its alerts.
    assert len(load_route_tests(out / ROUTING_TESTS_PATH)) > 20
    assert check_alertmanager(out, model, Tools(None, amtool)) == []


@pytest.mark.parametrize("service", REFERENCE_SERVICES)
def test_each_reference_spec_alone_passes(tmp_path: Path, amtool: str, service: str) -> None:
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    for name in ("_global.yaml", f"{service}.yaml"):
        shutil.copy(SPECS_DIR / name, spec_dir / name)
    model = pipeline.compile_specs(spec_dir, None, tmp_path)
    out = tmp_path / "out"
    problems = check_alertmanager(_write(model, out), model, Tools(None, amtool))
    assert [p for p in problems if not p.warning] == []


def test_config_that_routes_differently_from_the_spec_fails(tmp_path: Path, amtool: str) -> None:
    model = compile_model(tmp_path)
    out = _write(model, tmp_path / "out")
    config = out / CONFIG_PATH
    # A rendering bug: the first fan-out child stops, so chat-critical never gets critical alerts.
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("    - continue: true\n      receiver: pager\n",
                                   "    - receiver: pager\n"), encoding="utf-8")
    failures = [p for p in check_alertmanager(out, model, Tools(None, amtool)) if not p.warning]
    assert len(failures) == 1
    assert failures[0].check == "amtool config routes test"
    assert failures[0].file == "alertmanager/tests/routes.yaml"
    assert ("shop alert ShopDown (critical): {alertname=ShopDown, role=service-down, "
            "service=shop, severity=critical, team=web} should reach pager, chat-critical but "
            "Alertmanager routes it to pager") in failures[0].output


def test_check_config_failure_names_the_generated_file(tmp_path: Path, amtool: str) -> None:
    model = compile_model(tmp_path, GLOBAL.replace('["monday:friday"]', '["friday:monday"]'))
    out = _write(model, tmp_path / "out")
    [problem] = [p for p in check_alertmanager(out, model, Tools(None, amtool)) if not p.warning]
    assert problem.check == "amtool check-config"
    assert problem.file == "alertmanager/alertmanager.yml"
    assert "start day cannot be before end day" in problem.output
    assert str(out) not in problem.output


def test_generate_fails_and_keeps_out_when_amtool_rejects(
        tmp_path: Path, amtool: str, capsys: pytest.CaptureFixture[str]) -> None:
    compile_model(tmp_path, GLOBAL.replace('["monday:friday"]', '["friday:monday"]'))
    out = tmp_path / "out"
    code = main(["generate", "--specs", str(tmp_path / "slos"), "--out", str(out),
                 "--amtool", amtool])
    assert code == EXIT_FAILED
    assert not out.exists()
    assert "alertmanager/alertmanager.yml: amtool check-config failed" in capsys.readouterr().err


def test_generate_warns_about_unused_receivers_and_goes_on(
        tmp_path: Path, amtool: str, capsys: pytest.CaptureFixture[str]) -> None:
    compile_model(tmp_path)
    out = tmp_path / "out"
    code = main(["generate", "--specs", str(tmp_path / "slos"), "--out", str(out),
                 "--amtool", amtool])
    assert code == EXIT_OK
    assert (out / CONFIG_PATH).exists()
    assert ("slogen: warning: alertmanager/alertmanager.yml: routing: receiver 'mail' is "
            "declared but no route sends to it") in capsys.readouterr().err
