"""The committed spec reference and JSON Schemas match the models, and the schemas accept the
reference specs (what editors check as people type)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from generator.cli import main
from generator.specfile import models
from generator.specfile.reference import json_schemas, reference_markdown
from generator.specfile.yamlread import parse_yaml
from tests.conftest import ROOT, SPECS_DIR


def test_committed_spec_reference_is_current() -> None:
    committed = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "docs/spec-reference.md is stale: run `slogen docs`"


@pytest.mark.parametrize("name", sorted(json_schemas()))
def test_committed_schema_is_current(name: str) -> None:
    committed = (ROOT / "schema" / name).read_text(encoding="utf-8")
    assert committed == json_schemas()[name], f"schema/{name} is stale: run `make schema`"


def test_reference_documents_every_model_and_field() -> None:
    text = reference_markdown()
    for obj in vars(models).values():
        if (isinstance(obj, type) and issubclass(obj, models.SpecModel)
                and obj not in (models.SpecModel, models.Comparison)):
            section = text.split(f"### {obj.__name__}\n", 1)
            assert len(section) == 2, f"{obj.__name__} has no section"
            table = section[1].split("\n### ", 1)[0]
            for name, info in obj.model_fields.items():
                row = next((ln for ln in table.splitlines()
                            if ln.startswith(f"| `{info.alias or name}` |")), None)
                assert row is not None, f"{obj.__name__}.{name} is not documented"
                cells = [c.strip() for c in row.strip("|").split("|")]
                assert all(cells), (f"{obj.__name__}.{name} has an empty cell: {row}; give it "
                                    "Field(description=...) or a line in spec/field_help.py")


@pytest.mark.parametrize("path", sorted(SPECS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_the_reference_specs(path: Path) -> None:
    name = "slogen-global-v1.json" if path.stem == "_global" else "slogen-v1.json"
    schema = json.loads(json_schemas()[name])
    data, _ = parse_yaml(path.read_text(encoding="utf-8"), path.name)
    jsonschema.validate(data, schema)


def test_schema_rejects_an_unknown_key() -> None:
    schema = json.loads(json_schemas()["slogen-v1.json"])
    with pytest.raises(jsonschema.ValidationError, match="teem"):
        jsonschema.validate({"version": "slogen/v1", "service": "x", "team": "y", "teem": 1},
                            schema)


def test_docs_check_fails_on_a_stale_file(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "spec-reference.md"
    assert main(["docs", "--out", str(out), "--check"]) == 1
    assert "is stale: run `slogen docs`" in capsys.readouterr().err
    assert main(["docs", "--out", str(out)]) == 0
    assert main(["docs", "--out", str(out), "--check"]) == 0
    assert main(["schema", "--out", str(tmp_path), "--check"]) == 1
