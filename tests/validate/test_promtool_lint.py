"""Every rule file slogen writes passes promtool's lint as a failure (`--lint-fatal`): no two
rules of a file share a record or alert name and static labels."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bench import synth
from generator.cli import main
from tests.conftest import ROOT

pytestmark = pytest.mark.promtool


def _lint(promtool: str, files: list[Path]) -> None:
    run = subprocess.run([promtool, "check", "rules", "--lint-fatal", *map(str, files)],
                         capture_output=True, text=True, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "FAILED" not in output, output
    assert output.count("SUCCESS") == len(files), output


def test_the_committed_rule_files_pass_promtool_lint(promtool: str) -> None:
    files = sorted((ROOT / "out" / "prometheus").glob("*.rules.yaml"))
    assert len(files) >= 5
    _lint(promtool, files)


@pytest.fixture(scope="module")
def synthetic_specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic services of three SLO shapes each (two objectives of availability, one of
    latency), and one of 210 SLOs: its rules split into three pairs of groups."""
    specs = tmp_path_factory.mktemp("synth") / "specs"
    synth.write_specs(30, specs)
    (specs / "svc-big.yaml").write_text(synth.service_spec("svc-big", 210), encoding="utf-8")
    return specs


@pytest.mark.parametrize("fmt", ["rules", "prometheus-operator", "mimir"])
def test_synthetic_rule_files_pass_promtool_lint(tmp_path: Path, promtool: str,
                                                 synthetic_specs: Path, fmt: str) -> None:
    out = tmp_path / "out"
    assert main(["generate", "--specs", str(synthetic_specs), "--out", str(out), "--skip-checks",
                 "--rule-format", fmt, "-q"]) == 0
    plain = sorted((out / "prometheus").glob("*.rules.yaml"))
    assert len(plain) == 4
    files = plain
    if fmt != "rules":
        # The deployable layouts hold the same groups inside a manifest or a namespace file:
        # promtool reads them once written as a plain rule file.
        yaml = YAML(typ="safe")
        wrapped = sorted((out / "prometheus" / fmt.removeprefix("prometheus-")).glob("*.yaml"))
        assert len(wrapped) == len(plain)
        files = []
        for path in wrapped:
            doc = yaml.load(path)
            groups = (doc["spec"] if fmt == "prometheus-operator" else doc)["groups"]
            files.append(tmp_path / f"{path.stem}.groups.yaml")
            with files[-1].open("w", encoding="utf-8") as f:
                yaml.dump({"groups": groups}, f)
    _lint(promtool, files)
    big = (out / "prometheus" / "svc-big.rules.yaml").read_text(encoding="utf-8")
    assert big.count("record: slo:burn_page:ratio") == 3  # a condition rule per group
