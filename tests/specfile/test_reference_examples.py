"""Every example value in docs/spec-reference.md is one the spec accepts for its key.

Read from the committed Markdown (test_reference.py keeps it equal to what the models
generate), so what is checked is what users copy.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML

from generator.specfile import models
from tests.conftest import ROOT

REFERENCE = ROOT / "docs" / "spec-reference.md"
_ROW = re.compile(r"^\| `(?P<key>[^`]+)` \|.*\| (?P<example>[^|]*(?:\\\|[^|]*)*) \|$")


def _examples() -> list[tuple[str, str, str]]:
    """(model, key, example) for every row whose example is a value."""
    found, model = [], ""
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            model = line[4:].strip()
        elif (row := _ROW.match(line)) and model:
            example = row["example"].replace("\\|", "|").strip()
            if example != "see below":
                found.append((model, row["key"], example.strip("`")))
    return found


EXAMPLES = _examples()


def _adapter(model: str, key: str) -> TypeAdapter[Any]:
    cls: type[BaseModel] = getattr(models, model)
    field = next(f for name, f in cls.model_fields.items() if (f.alias or name) == key)
    if not field.metadata:
        return TypeAdapter(field.annotation)
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)])  # type: ignore[valid-type]


def _candidates(text: str) -> list[Any]:
    """The example as YAML would read it, and as a quoted string (`{{instance}}`, `09:00`)."""
    try:
        parsed = YAML(typ="safe").load(StringIO(text))
    except Exception:  # noqa: BLE001 - a plain string that is not YAML on its own
        return [text]
    return [parsed, text]


def test_reference_has_examples_for_most_keys() -> None:
    assert len(EXAMPLES) > 150


@pytest.mark.parametrize(("model", "key", "example"), EXAMPLES,
                         ids=[f"{m}.{k}" for m, k, _ in EXAMPLES])
def test_example_is_a_valid_value(model: str, key: str, example: str) -> None:
    adapter = _adapter(model, key)
    errors = []
    for value in _candidates(example):
        try:
            adapter.validate_python(value)
            return
        except ValidationError as exc:
            errors.append(str(exc))
    pytest.fail(f"{model}.{key}: example {example!r} is rejected: {errors[0]}")


@pytest.mark.parametrize(("model", "key", "example"), EXAMPLES,
                         ids=[f"{m}.{k}" for m, k, _ in EXAMPLES])
def test_example_means_what_its_key_asks_for(model: str, key: str, example: str) -> None:
    """Type-valid placeholders that read wrong: a counter as a histogram, a runbook as a
    Prometheus or webhook address, a made-up value."""
    if key == "histogram":
        assert not example.endswith(("_total", "_bucket")), example
    if key == "url" or key.endswith("_url"):
        assert "runbook" not in example, example
    if key == "record":
        assert example.count(":") == 2, "recording rule names are level:metric:operations"
    assert example not in ("my-value", "x", "name"), f"{model}.{key} has a placeholder example"
