"""The fast YAML writer writes the YAML dumper's very bytes, or leaves the document to it."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from generator.targets import dump, fastyaml
from generator.targets.dump import FlowList, FlowMap

TRICKY = ["", " ", "a", "a b", "true", "True", "yes", "null", "~", "1", "1.5", "0x1f", "1_000",
          "2001-12-14", ".inf", "=", "<<", "-", "- a", "-a", "?", "?a", "? a", ":", ":a", "a:",
          "a: b", "a:b", "#a", "a #b", "a#b", "it's", "it's: x", "'q'", '"q"', 'a "b" c', "a\\b",
          "a\\'b: c", "x\ny", "x\ny\n", "x\n\ny", "x\n\n", "\nx", " x\ny", "x \ny", "a\tb",
          "\u00e9", "\u2014", "\u2028", "a\u0085b", "\ufeff", "\U0001f600", "a\rb", "---", "...",
          "--- a", "a,b", "[a]", "{a}", "a]", "a}", "@a", "`a", "%a", "!a", "&a", "*a", "|a",
          ">a", "a|b", 'sum(rate(x{job="a",code=~"5.."}[5m]))', "{{ $labels.job }}", "x" * 130,
          "y " * 40, "a'b?c", "why isn't it up?", "x'?", "?a'", "a ?b'", "it's a?b: c"]


def _slow(data: Any) -> str:
    buf = io.StringIO()
    dump._dumper().dump(data, buf)
    return buf.getvalue()


def _documents(text: str) -> list[Any]:
    return [
        {"k": text},
        {text: "v"},
        [text],
        {"k": [text, {"n": text}]},
        {"k": FlowMap({"a": text})},
        {"k": FlowMap({text: 1})},
        {"k": FlowList([text, "b"])},
        [[text, 1], {"k": {"n": [text]}}],
        {"k": SingleQuotedScalarString(text)},
    ]


def _same_or_left(data: Any) -> bool:
    """The fast writer's text equals the dumper's; True when it wrote the document."""
    fast = fastyaml.dump(data)
    if fast is not None:
        assert fast == _slow(data), data
    return fast is not None


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_in_every_context(text: str) -> None:
    for data in _documents(text):
        _same_or_left(data)


@pytest.mark.parametrize(("alphabet", "longest"), [
    (" '\"\\:#-?,[]{}\n\t.|>!&*%@`~a1e\u00e9\u2028\x85\r", 7),
    ("abc xyz:#-,{}[]()=~$.1", 16),
    ("".join(chr(c) for c in range(0x20, 0x7f)) + "aaaa    ", 10),
])
def test_random_strings_in_every_context(alphabet: str, longest: int) -> None:
    rng = random.Random(20)
    written = 0
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest)))
        written += sum(_same_or_left(d) for d in _documents(text))
    assert written > 5000  # most documents are the fast writer's


def test_long_strings_in_every_context() -> None:
    # Past the memo's longest string, every occurrence is classified afresh.
    rng = random.Random(21)
    alphabet = "".join(chr(c) for c in range(0x20, 0x7f)) + "aaaa    (){}1"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(65, 200)))
        for data in _documents(text):
            _same_or_left(data)


def test_block_plain_line_is_the_block_pattern() -> None:
    rng = random.Random(22)
    printable = "".join(chr(c) for c in range(0x20, 0x7f))
    texts = [t for t in TRICKY if t and t.isascii() and t.isprintable()]
    for alphabet in (printable, " :#-?.,a", "-.: #'a"):
        texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
                  for _ in range(3000)]
    for text in texts:
        assert fastyaml._block_plain_line(text) == bool(fastyaml._BLOCK_PLAIN.fullmatch(text)), \
            text


def test_strings_outside_the_typed_characters_are_strings() -> None:
    # What the resolver reads as another type is always made of _MAYBE_TYPED's characters.
    from ruamel.yaml.nodes import ScalarNode

    rng = random.Random(23)
    alphabet = "0123456789-+._:eExXbBoOinfatrulsNT ~=<!&*(){}"
    texts = [t for t in TRICKY if t]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
              for _ in range(20000)]
    for text in texts:
        if fastyaml._resolver.resolve(ScalarNode, text, (True, False)) != fastyaml._STR_TAG:
            assert fastyaml._MAYBE_TYPED.fullmatch(text), text


def test_scalars_and_collections() -> None:
    data = {"i": 3, "n": -7, "t": True, "f": False, "z": None, "x": 1.5, "e": 1e-05, "g": 1e20,
            "m": -0.0, "inf": float("inf"), "empty_map": {}, "empty_list": [],
            "flow": FlowMap(), "flow_list": FlowList(), "nested": [[1, [2, []]], {"a": {}}],
            "deep": {"a": {"b": {"c": [{"d": "x\ny"}, "e"]}}}}
    assert _same_or_left(data)


def test_what_the_targets_write_is_written_fast() -> None:
    """Rule files and unit tests: the bulk of the output."""
    rule = {"groups": [{"name": "g", "interval": "1m", "rules": [
        {"record": "slo:sli_error:rate5m",
         "expr": 'sum(rate(http_requests_total{job="a",code=~"5.."}[5m]))',
         "labels": {"service": "a", "slo": "availability"}},
        {"alert": "A", "expr": "x > 1\nand y", "for": "5m",
         "annotations": {"summary": "{{ $labels.job }} is down: it's bad",
                         "description": "Line one.\n\nLine two."}}]}]}
    assert _same_or_left(rule)


def test_unsupported_values_are_left_to_the_dumper() -> None:
    assert fastyaml.dump({"k": ("a", "b")}) is None
    assert fastyaml.dump({1: "a"}) is None
    assert fastyaml.dump({"k": "x" * 4096}) is None
    assert fastyaml.dump({}) is None
    assert dump.yaml_text({"k": ("a", "b")}).endswith("k:\n- a\n- b\n")


@pytest.mark.parametrize("text", [t for t in TRICKY if not set(t) & set("\n\r\x85\u2028")])
def test_every_string_is_written_and_reads_back(text: str) -> None:
    # Whichever writer takes it: an apostrophe with a `?` after the first character once made
    # ruamel's scalar analysis raise (an emitter without a dumper has no YAML version).
    # One-line strings only: yaml_text writes multi-line ones as literal blocks ending in a
    # line break.
    from ruamel.yaml import YAML

    for data in _documents(text):
        written = dump.yaml_text(data)
        assert YAML(typ="safe", pure=True).load(written) == data


@pytest.mark.parametrize("text", ["\\\u2028=\n\\", "\n.\u2028%:", "line one\nline\u2028 two\nthree",
                                  "a\u2029b\n", "a\x85\nb", "only\u2028one line"])
def test_yaml_1_1_line_breaks_are_escaped_so_every_reader_agrees(text: str) -> None:
    # U+2028, U+2029 and U+0085 break lines for YAML 1.1 readers (libyaml, Go's yaml) and are
    # text for YAML 1.2 ones; in a literal block the two read different strings, and some
    # (an indented '=' after one) were no YAML at all to a 1.2 reader.
    from ruamel.yaml import YAML

    for data in _documents(text):
        written = dump.yaml_text(data)
        assert YAML(typ="safe", pure=True).load(written) == data, written
