"""Spec files read on two cores give exactly what reading them one by one gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.core.errors import SpecErrors
from generator.specfile import parallel_read
from generator.specfile.parallel_read import Read, read_text, read_texts
from generator.specfile.sourcetext import read_spec_text
from tests.conftest import SPECS_DIR

HOSTILE = Path(__file__).parent / "hostile"


def _texts() -> list[tuple[str, str]]:
    """Every reference spec and every hostile YAML file that decodes, plus data JSON cannot
    carry exactly (an integer beyond 64 bits)."""
    paths = sorted(SPECS_DIR.glob("*.yaml")) + sorted(
        p for p in HOSTILE.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    texts = []
    for path in paths:
        try:
            texts.append((read_spec_text(path, path.name), path.name))
        except SpecErrors:
            continue
    big = "version: slogen/v1\nservice: big\nteam: t\nnote: 123456789012345678901234567890\n"
    texts.insert(1, (big, "big.yaml"))  # an odd index: the helper's to read
    return texts


def _plain(result: Read | SpecErrors) -> object:
    if isinstance(result, SpecErrors):
        return ("errors", result.errors)
    data, locator, secrets, texts = result
    return (data, dict(locator.positions), dict(locator.values), locator.file, secrets, texts)


def _alone(texts: list[tuple[str, str]]) -> list[object]:
    found: list[object] = []
    for text, shown in texts:
        try:
            found.append(_plain(read_text(text, shown)))
        except SpecErrors as exc:
            found.append(_plain(exc))
    return found


def test_read_on_two_cores_equals_read_one_by_one() -> None:
    texts = _texts()
    assert len(texts) >= parallel_read.PARALLEL_MIN_FILES
    assert any(isinstance(r, SpecErrors) for r in read_texts(texts))  # hostile ones fail
    assert [_plain(r) for r in read_texts(texts)] == _alone(texts)


@pytest.mark.parametrize("death", ["cut mid-line", "before sending"])
def test_what_a_dying_helper_did_not_send_is_read_here(
        monkeypatch: pytest.MonkeyPatch, death: str) -> None:
    texts = _texts()
    real_encode = parallel_read._encode
    sent: list[int] = []

    def encode_then_die(index: int, result: Read | SpecErrors) -> bytes | None:
        line = real_encode(index, result)
        if len(sent) > 3:  # noqa: PLR2004 - the helper dies after its fourth line...
            os._exit(1)
        sent.append(index)
        if len(sent) == 4 and death == "cut mid-line" and line is not None:  # noqa: PLR2004
            return line[: len(line) // 2]  # ...which it wrote half of
        return line if len(sent) < 4 else None  # noqa: PLR2004

    monkeypatch.setattr(parallel_read, "_encode", encode_then_die)
    assert [_plain(r) for r in read_texts(texts)] == _alone(texts)


def test_prefetched_files_are_taken_and_changed_ones_read_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    # The prefetch saw an older text of the first file: that file is read again.
    older = [(texts[0][0] + "\n# an older text\n", texts[0][1]), *texts[1:]]
    prefetch = parallel_read.Prefetch(older)
    read_here: list[str] = []
    real_read = parallel_read._read_or_errors

    def counting(text: str, shown: str) -> Read | SpecErrors:
        read_here.append(shown)
        return real_read(text, shown)

    monkeypatch.setattr(parallel_read, "_read_or_errors", counting)
    monkeypatch.setattr(parallel_read, "PARALLEL_MIN_FILES", 10**9)  # the rest: here
    assert [_plain(r) for r in read_texts(texts, prefetch)] == _alone(texts)
    # Besides the changed file, only what JSON cannot carry exactly (huge integers).
    unsendable = {shown for i, (text, shown) in enumerate(texts)
                  if parallel_read._encode(i, real_read(text, shown)) is None}
    assert "big.yaml" in unsendable
    assert set(read_here) == {texts[0][1]} | unsendable


def test_a_prefetch_whose_helper_died_leaves_every_file_to_be_read_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()

    def die(index: int, result: Read | SpecErrors) -> bytes | None:
        os._exit(3)

    monkeypatch.setattr(parallel_read, "_encode", die)
    prefetch = parallel_read.Prefetch(texts)
    assert prefetch.take() == {}
    monkeypatch.undo()
    assert [_plain(r) for r in read_texts(texts, prefetch)] == _alone(texts)
