"""`validate` and `generate` refuse specs whose rules, in any files, can write the same series."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from generator.core.model import Model
from generator.specfile.build import build_model
from generator.specfile.loader import load_specs
from generator.targets.prometheus.writers import (
    Writer,
    disjoint,
    from_record,
    rule_problems,
    to_record,
)
from tests.conftest import ROOT


def _model(specs: Path) -> Model:
    return build_model(load_specs(specs))

RECORDING = """version: slogen/v1
service: {name}
team: t
recording:
  - record: job:requests:rate5m
    expr: {expr}
"""


def _service(write_spec: Callable[..., Path], name: str, expr: str) -> Path:
    return write_spec(RECORDING.format(name=name, expr=expr), f"{name}.yaml")


def test_two_services_recording_one_series_fail_generation(
        tmp_path: Path, write_spec: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    write_spec("version: slogen/v1\n", "_global.yaml")
    _service(write_spec, "a", "sum by (job) (rate(requests_total[5m]))")
    spec = _service(write_spec, "b", "sum by (job) (rate(requests_total[5m]))")
    out = tmp_path / "out"
    assert main(["validate", "--specs", str(spec.parent)]) == 2
    assert main(["generate", "--specs", str(spec.parent), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "b.yaml:5:5: recording[0]: record job:requests:rate5m is written by " in err
    assert "(from " in err and "a.yaml:5:5: recording[0])" in err
    assert not out.exists()


def test_recordings_told_apart_by_their_matchers_pass(write_spec: Callable[..., Path]) -> None:
    write_spec("version: slogen/v1\n", "_global.yaml")
    _service(write_spec, "a", 'sum by (job) (rate(requests_total{job="a"}[5m]))')
    spec = _service(write_spec, "b", 'sum by (job) (rate(requests_total{job="b"}[5m]))')
    assert rule_problems(_model(spec.parent)) == []


def test_a_rule_label_over_a_kept_label_fails(write_spec: Callable[..., Path]) -> None:
    write_spec("version: slogen/v1\n", "_global.yaml")
    spec = write_spec(RECORDING.format(name="a", expr="sum by (env) (x)")
                      + "    labels: {env: prod}\n", "a.yaml")
    [problem] = rule_problems(_model(spec.parent))
    assert (problem.line, problem.path) == (5, "recording[0]")
    assert "sets env, which its expression keeps" in problem.message


def test_the_multiservice_and_reference_specs_have_one_writer_per_series() -> None:
    for specs in (ROOT / "tests" / "testdata" / "multiservice", ROOT / "slos"):
        assert rule_problems(pipeline.compile_specs(specs, None, ROOT)) == []


@pytest.mark.parametrize("a, b, apart", [
    ({"record": "r", "expr": "x", "labels": {"slo_id": "1"}},
     {"record": "r", "expr": "x", "labels": {"slo_id": "2"}}, True),
    ({"record": "r", "expr": 'x{job="a"}'}, {"record": "r", "expr": 'x{job="b"}'}, True),
    ({"record": "r", "expr": "sum(x)"}, {"record": "r", "expr": 'x{job="b"}'}, True),
    ({"record": "r", "expr": "sum(x)"}, {"record": "r", "expr": "sum(y)"}, False),
    ({"record": "r", "expr": "x"}, {"record": "r", "expr": 'x{job="b"}'}, False),
    ({"alert": "A", "expr": "x > 1", "labels": {"service": "a"}},
     {"alert": "A", "expr": "x > 1", "labels": {"service": "b"}}, True),
    # Set matchers of literal alternatives pin the label to one of their values.
    ({"record": "r", "expr": 'x{slo_id=~"a|b"} > 1'},
     {"record": "r", "expr": 'x{slo_id=~"c|d\\\\.e"} or y{slo_id="f"}'}, True),
    ({"record": "r", "expr": 'x{slo_id=~"a|b"}'}, {"record": "r", "expr": 'x{slo_id="b"}'}, False),
    ({"record": "r", "expr": 'x{slo_id=~"a.*"}'}, {"record": "r", "expr": 'x{slo_id="b"}'}, False),
])
def test_disjoint(a: dict[str, object], b: dict[str, object], apart: bool) -> None:
    assert disjoint(Writer.of(a, "a", None), Writer.of(b, "b", None)) is apart
    # The incremental generate's index keeps what tells writers apart.
    again = [from_record(to_record(Writer.of(x, n, None))) for x, n in ((a, "a"), (b, "b"))]
    assert disjoint(*again) is apart


def _writer(expr: str, labels: dict[str, str] | None = None) -> Writer:
    return Writer.of({"record": "x:y:z", "expr": expr, **({"labels": labels} if labels else {})},
                     "f group g rule 1", None)


def test_clashes_split_by_label_values_match_every_pair_compared() -> None:
    """The check compares only writers whose values of a shared label overlap: it finds
    exactly the pairs comparing every pair finds, in the same order."""
    from itertools import combinations

    from generator.targets.prometheus.writers import clashes

    exprs = ['up{slo_id=~"a|b"}', 'up{slo_id=~"c|d"}', 'up{slo_id=~"b|e"}', 'up{slo_id="c"}',
             'up{slo_id="f"}', 'up{slo_id=~"f|g",job="j"}', 'up{slo_id="g",job="k"}']
    group = [_writer(e) for e in exprs] + [_writer("up", {"slo_id": "e"})]
    every = [(a, b) for a, b in combinations(group, 2) if not disjoint(a, b)]
    assert clashes(group) == every
    assert [(group.index(a), group.index(b))
            for a, b in every] == [(0, 2), (1, 3), (2, 7), (4, 5)]


def test_a_burn_condition_of_several_shapes_is_told_apart_by_its_slo_ids() -> None:
    """A level's burn condition `or`s the conditions of each shape of SLOs: its series are those
    of every `slo_id` it selects, and no other rule may write one of them."""
    burn = ('(x{slo_id=~"a|b"} > (14.4 * 0.001) and y{slo_id=~"a|b"} > (14.4 * 0.001))\n'
            ' or (x{slo_id="c"} > (14.4 * 0.01) and y{slo_id="c"} > (14.4 * 0.01))')
    merged = _writer(burn)
    assert merged.values() == {"slo_id": frozenset({"a", "b", "c"})}
    assert disjoint(merged, _writer('x{slo_id=~"d|e"} > 1'))
    assert not disjoint(merged, _writer('x{slo_id="c"} > 1'))
    assert not disjoint(merged, _writer("x > 1", {"slo_id": "b"}))
    # A split service's part label is empty: Prometheus drops it, so it tells nothing apart.
    part = _writer(burn, {"slogen_part_2": ""})
    assert part.fixed() == {}
    assert not disjoint(part, _writer('x{slo_id="a"}'))
    assert disjoint(part, _writer('x{slo_id="d"}', {"slogen_part_1": ""}))
