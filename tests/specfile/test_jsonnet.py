"""Jsonnet specs: evaluated with slos/lib/ on the library path, then validated like YAML."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from generator import pipeline
from generator.core.errors import SpecErrors
from tests.conftest import SPECS_DIR, TESTDATA

CASE = TESTDATA / "spec" / "jsonnet"


def _jsonnet_dir(tmp_path: Path, text: str | None = None) -> Path:
    """A spec dir holding the Jsonnet twin (or `text` as checkout.jsonnet) and slos/lib/."""
    spec_dir = tmp_path / "slos"
    shutil.copytree(CASE / "jsonnet", spec_dir)
    shutil.copytree(SPECS_DIR / "lib", spec_dir / "lib")
    if text is not None:
        (spec_dir / "checkout.jsonnet").write_text(text, encoding="utf-8")
    return spec_dir


def _errors(spec_dir: Path) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        pipeline.compile_specs(spec_dir, None, spec_dir.parent)
    return [str(e) for e in caught.value.errors]


def test_jsonnet_spec_builds_the_same_output_as_its_yaml_twin(tmp_path: Path) -> None:
    yaml_dir = tmp_path / "yaml" / "slos"
    shutil.copytree(CASE / "yaml", yaml_dir)
    from_yaml = pipeline.compile_specs(yaml_dir, None, yaml_dir.parent)
    from_jsonnet = pipeline.compile_specs(_jsonnet_dir(tmp_path / "jsonnet"), None,
                                          tmp_path / "jsonnet")
    assert {s.name for s in from_jsonnet.services[0].slos} == {
        "latency", "pay-availability", "refund-availability", "uptime"}
    assert from_jsonnet.services[0].source_file == "slos/checkout.jsonnet"
    yaml_files = pipeline.render(from_yaml)
    jsonnet_files = {path: text.replace("checkout.jsonnet", "checkout.yaml")
                     for path, text in pipeline.render(from_jsonnet).items()}
    assert jsonnet_files == yaml_files


@pytest.mark.promtool
def test_jsonnet_queries_are_syntax_checked(tmp_path: Path, promtool: str) -> None:
    pipeline.compile_specs(_jsonnet_dir(tmp_path), promtool, tmp_path)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param(
        "{\n  version: 'slogen/v1',\n  service: error 'boom',\n}\n",
        "slos/checkout.jsonnet:3:12: (document): Jsonnet evaluation failed: boom",
        id="runtime error names the file and line"),
    pytest.param(
        "{\n  version: 'slogen/v1'\n  service: 'x',\n}\n",
        "slos/checkout.jsonnet:3:3: (document): Jsonnet evaluation failed: "
        "expected a comma before next field.",
        id="syntax error names the file and line"),
    pytest.param(
        "local x = import 'nope.libsonnet';\nx\n",
        "slos/checkout.jsonnet:1:11: (document): Jsonnet evaluation failed: couldn't open "
        'import "nope.libsonnet": no such file next to the importing file or in the library path',
        id="missing import names the file"),
    pytest.param(
        "local slogen = import 'slogen.libsonnet';\n"
        "slogen.service('checkout', 'payments', {slos: [slogen.slo.http('a', 120, 'x')]})\n",
        "slos/checkout.jsonnet:2:69: slos[0].objective: 120 is not a percentage between 0 and 100 "
        "(exclusive)",
        id="invalid values name the file and spec path"),
    pytest.param(
        "[1, 2]\n",
        "slos/checkout.jsonnet:1:1: (document): expected a mapping starting with "
        "`version: slogen/v1`, got a list",
        id="an array is not a spec"),
])
def test_bad_jsonnet_is_one_located_error(tmp_path: Path, text: str, expected: str) -> None:
    # One case per way a Jsonnet spec can fail: evaluation, parsing, imports, validation, shape.
    assert _errors(_jsonnet_dir(tmp_path, text)) == [expected]


def test_library_files_are_not_specs(tmp_path: Path) -> None:
    model = pipeline.compile_specs(_jsonnet_dir(tmp_path), None, tmp_path)
    assert [s.name for s in model.services] == ["checkout"]


def test_without_the_jsonnet_extra_a_jsonnet_spec_says_what_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "_jsonnet", None)  # what a core-only install sees
    assert _errors(_jsonnet_dir(tmp_path)) == [
        "slos/checkout.jsonnet:1:1: (document): Jsonnet specs need the jsonnet package: "
        "pip install 'slogen[jsonnet]'"]
