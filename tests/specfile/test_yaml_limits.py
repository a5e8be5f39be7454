"""YAML limits hold while parsing (depth, aliases, size) and undecodable bytes are located."""

from __future__ import annotations

import time

import pytest

from generator.core.errors import SpecErrors
from generator.specfile.sourcetext import decode_spec_bytes
from generator.specfile.yamlread import parse_yaml

DEEP = 200_000
LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9))


@pytest.mark.parametrize(("text", "expected"), [
    ("x: " + "{a: " * DEEP + "1" + "}" * DEEP, "f.yaml:1:256: (document): invalid YAML: nesting "
                                               "deeper than 64 levels; flatten the structure"),
    ("x: " + "[" * DEEP, "f.yaml:1:67: (document): invalid YAML: nesting deeper than 64 levels"),
    ("x:\n" + "- " * DEEP + "1\n", "f.yaml:2:127: (document): invalid YAML: nesting deeper"),
    (LAUGHS, "f.yaml:5:8: (document): invalid YAML: aliases expand the document by more than "
             "20,000 values"),
    ("x: [" + "1,\n" * 1_000_000 + "]", "f.yaml:19998:1: (document): invalid YAML: the document "
                                        "has more than 20,000 values"),
    ("a: &a [*a]\n", "f.yaml:1:8: (document): invalid YAML: recursive YAML alias *a"),
])
def test_limits_are_located_errors_in_well_under_two_seconds(text: str, expected: str) -> None:
    started = time.process_time()  # CPU time: other processes on the machine do not count
    with pytest.raises(SpecErrors) as caught:
        parse_yaml(text, "f.yaml")
    assert time.process_time() - started < 2
    assert str(caught.value).startswith(expected)


TEXT = "version: slogen/v1\nservice: café\n"


@pytest.mark.parametrize(("data", "expected"), [
    (TEXT.encode("latin-1"), "f.yaml:2:13: (document): file is not UTF-8 text: byte 0xE9 cannot "
                             "be decoded (Latin-1 or another 8-bit encoding?)"),
    (TEXT.encode("utf-16"), "f.yaml:1:1: (document): file is UTF-16 with a byte-order mark"),
    (TEXT.encode("utf-16-le"), "f.yaml:1:2: (document): file is not UTF-8 text: NUL byte (it "
                               "looks like UTF-16 without a byte-order mark)"),
    (TEXT.encode("utf-16-be"), "f.yaml:1:1: (document): file is not UTF-8 text: NUL byte (it "
                               "looks like UTF-16 without a byte-order mark)"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "f.yaml:1:1: (document): file is not UTF-8 text: byte "
                                       "0x89 cannot be decoded (binary data?)"),
    (b"a: 1\n" * 900_000, "f.yaml:838861:5: (document): file is larger than 4 MiB"),
])
def test_undecodable_bytes_are_located(data: bytes, expected: str) -> None:
    with pytest.raises(SpecErrors) as caught:
        decode_spec_bytes(data, "f.yaml")
    assert str(caught.value).startswith(expected)
