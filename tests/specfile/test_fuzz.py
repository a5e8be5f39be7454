"""Property tests: whatever a spec file holds, slogen answers with SpecErrors, never a crash."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from ruamel.yaml import YAML

from generator import pipeline
from generator.cli import main
from generator.core.errors import SpecErrors
from generator.specfile import models
from generator.specfile.yamlread import parse_yaml
from tests.conftest import ROOT, TESTDATA

GOOD = TESTDATA / "spec" / "good"
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _field_names() -> list[str]:
    """Every key the spec format knows, so generated documents reach deep into the models."""
    names = set()
    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names.update(f.alias or n for n, f in obj.model_fields.items())
    return sorted(names)


KEYS = st.one_of(st.sampled_from(_field_names()), st.text(max_size=12))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["5m", "30d", "0s", "1h30m", "slogen/v1", "critical",
                                            "rate(x[{{window}}])", "main", "pg", "prom"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)


def _yaml_text(data: Any) -> str:
    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


@contextmanager
def _spec_dir(files: dict[str, str | bytes]) -> Iterator[Path]:
    """A temporary copy of the good spec directory with `files` written over it."""
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / "slos"
        shutil.copytree(GOOD, spec_dir)
        for name, content in files.items():
            target = spec_dir / name
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        yield spec_dir


def _compile(spec_dir: Path) -> None:
    try:
        pipeline.compile_specs(spec_dir, None, spec_dir.parent)
    except SpecErrors as exc:
        assert exc.errors, "SpecErrors must carry at least one error"
        for error in exc.errors:
            assert error.file.startswith("slos/") and error.message


def _good_data(name: str) -> Any:
    data, _ = parse_yaml((GOOD / name).read_text(encoding="utf-8"), name)
    return data


@st.composite
def _mutated(draw: st.DrawFn, data: Any) -> Any:
    """`data` with one subtree replaced by an arbitrary value: a near-miss of a valid spec."""
    if not isinstance(data, (dict, list)) or not data or draw(st.integers(0, 3)) == 0:
        return draw(VALUES)
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = draw(st.sampled_from(keys))
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[key] = draw(_mutated(data[key]))  # type: ignore[index]
    return copy


@FUZZ
@given(data=VALUES)
def test_arbitrary_yaml_documents_give_spec_errors(data: Any) -> None:
    with _spec_dir({"checkout.yaml": _yaml_text(data)}) as spec_dir:
        _compile(spec_dir)


@FUZZ
@given(data=st.data())
def test_near_misses_of_a_good_spec_give_spec_errors(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["checkout.yaml", "_global.yaml"]))
    mutated = data.draw(_mutated(_good_data(name)))
    with _spec_dir({name: _yaml_text(mutated)}) as spec_dir:
        _compile(spec_dir)


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text_gives_spec_errors(text: str) -> None:
    try:
        parse_yaml(text, "slos/x.yaml")
    except SpecErrors as exc:
        assert all(e.file == "slos/x.yaml" for e in exc.errors)


@FUZZ
@given(blob=st.binary(max_size=300))
def test_arbitrary_bytes_give_spec_errors(blob: bytes) -> None:
    with _spec_dir({"checkout.yaml": blob}) as spec_dir:
        _compile(spec_dir)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(st.text(max_size=120), VALUES.map(json.dumps)))
def test_arbitrary_jsonnet_gives_spec_errors(text: str) -> None:
    with _spec_dir({"checkout.yaml": "", "checkout.jsonnet": text}) as spec_dir:
        (spec_dir / "checkout.yaml").unlink()
        _compile(spec_dir)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cli_exits_2_and_leaves_out_untouched(data: st.DataObject) -> None:
    mutated = data.draw(_mutated(_good_data("checkout.yaml")))
    with _spec_dir({"checkout.yaml": _yaml_text(mutated)}) as spec_dir:
        out = spec_dir.parent / "out"
        out.mkdir()
        (out / "keep.txt").write_text("mine", encoding="utf-8")
        stderr = io.StringIO()
        with redirect_stderr(stderr), redirect_stdout(io.StringIO()):
            code = main(["validate", "--specs", str(spec_dir)])
            if code == 0:
                return  # the mutation happened to be valid
            code = main(["generate", "--specs", str(spec_dir), "--out", str(out),
                         "--skip-checks"])
        assert code == 2
        assert "Traceback" not in stderr.getvalue()
        assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_cli_process_prints_located_errors_without_traceback(tmp_path: Path) -> None:
    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    (spec_dir / "checkout.yaml").write_bytes(b"version: slogen/v1\nservice: [\x00\n")
    (spec_dir / "other.yaml").write_text("\t- x", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--specs", "slos", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == "2 spec errors; nothing was written."
    assert result.stderr.startswith("slos/checkout.yaml:2:11: (document): invalid YAML: control "
                                    "character U+0000 is not allowed; remove it\n")
    assert not out.exists()
