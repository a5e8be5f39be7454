"""YAML spec files read (parsed, then scanned for secrets and unusable texts) on two cores.

A cold `generate` of a large spec set spends most of its loading reading files, before any
other work can start and with the other core idle. With many files to read, a forked copy of
this process reads every other one and sends back what it found as JSON lines, which the
loader takes as if it had read the file itself. What the helper cannot send exactly (data JSON
does not hold, such as integers beyond 64 bits) or never sends (it died) is read here, so the
result is the same either way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from generator import forking
from generator.core.errors import SpecError, SpecErrors
from generator.specfile.prom_text import text_errors
from generator.specfile.secrets import find_inline_secrets
from generator.specfile.yamlread import Locator, parse_yaml

# data, where its keys and values are, the secrets found in it, its unusable texts
Read = tuple[Any, Locator, list[SpecError], list[SpecError]]

_PLAIN = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | \
    orjson.OPT_PASSTHROUGH_DATACLASS

# Below this many files a helper costs more than it saves.
PARALLEL_MIN_FILES = 16


def read_text(text: str, shown: str) -> Read:
    """Parse one file's text and scan it; SpecErrors when it is not valid YAML."""
    data, locator = parse_yaml(text, shown)
    return data, locator, find_inline_secrets(data, locator), text_errors(data, locator)


def read_texts(items: Sequence[tuple[str, str]],
               prefetched: Prefetch | None = None) -> list[Read | SpecErrors]:
    """`read_text` of every (text, shown name), in order: what `prefetched` read already is
    taken from it; of the rest, every other one by a forked helper when there are enough of
    them and another core."""
    found: dict[int, Read | SpecErrors] = {}
    if prefetched is not None:
        done = prefetched.take()
        found = {i: done[item] for i, item in enumerate(items) if item in done}
    rest = [i for i in range(len(items)) if i not in found]
    if len(rest) >= PARALLEL_MIN_FILES and forking.available():
        read: dict[int, Read | SpecErrors] = {}
        _read_with_helper([items[i] for i in rest], read)
        found.update((rest[i], result) for i, result in read.items())
    return [found[i] if i in found else _read_or_errors(*items[i]) for i in range(len(items))]


class Prefetch:
    """Spec files read by a helper forked before a cold `generate` imports the rest of slogen
    (a third of a second of imports, which the reading then overlaps). The helper writes its
    results to an unlinked temporary file, so it never waits for this process to read them;
    `take` collects them. The loader uses a result only for the same text under the same
    name, so a file changed in between is read again."""

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self.items = list(items)
        self.pid: int | None = None
        self.results: dict[tuple[str, str], Read | SpecErrors] | None = None
        if len(self.items) < PARALLEL_MIN_FILES or not forking.available():
            self.results = {}
            return
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by take()
        self.pid = forking.start(self._read_all)

    def _read_all(self) -> None:
        for index, item in enumerate(self.items):
            line = _encode(index, _read_or_errors(*item))
            if line is not None:
                self.file.write(line)
        self.file.flush()

    def take(self) -> dict[tuple[str, str], Read | SpecErrors]:
        """(text, shown name) -> what reading it gave, for every file the helper read (waits
        for it; empty when it failed). Handed over once: the prefetch keeps nothing after, so
        the specs' raw data is freed with the loader's."""
        if self.results is not None:
            return {}
        assert self.pid is not None
        _, status = os.waitpid(self.pid, 0)
        found: dict[tuple[str, str], Read | SpecErrors] = {}
        if status == 0:
            self.file.seek(0)
            for line in self.file:
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    index, result = _decode(line, self.items)
                    found[self.items[index]] = result
        self.file.close()
        self.results, self.items = {}, []
        return found

    def abandon(self) -> None:
        """Stop the helper if it still runs (nothing will take its results)."""
        if self.pid is not None and self.results is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.file.close()
            self.results = {}


def _read_or_errors(text: str, shown: str) -> Read | SpecErrors:
    try:
        return read_text(text, shown)
    except SpecErrors as exc:
        return exc


def _read_with_helper(items: Sequence[tuple[str, str]],
                      found: dict[int, Read | SpecErrors]) -> None:
    read_fd, write_fd = os.pipe()

    def work() -> None:
        os.close(read_fd)
        with os.fdopen(write_fd, "wb") as out:
            for index in range(1, len(items), 2):
                line = _encode(index, _read_or_errors(*items[index]))
                if line is not None:
                    out.write(line)

    pid = forking.start(work)
    os.close(write_fd)
    try:
        for index in range(0, len(items), 2):
            found[index] = _read_or_errors(*items[index])
        with os.fdopen(read_fd, "rb") as lines:
            for line in lines:
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    # A line cut short by the helper's death is read here instead.
                    index, result = _decode(line, items)
                    found[index] = result
    finally:
        os.waitpid(pid, 0)


def _encode(index: int, result: Read | SpecErrors) -> bytes | None:
    """One JSON line, or None when JSON would not give back exactly the same data."""
    try:
        if isinstance(result, SpecErrors):
            row: list[Any] = [index, [_error_row(e) for e in result.errors]]
        else:
            data, locator, secrets, texts = result
            row = [index, data, _rows(locator.positions), _rows(locator.values),
                   [_error_row(e) for e in secrets], [_error_row(e) for e in texts]]
        # Only plain str, int, float, bool, None, dict and list (what the YAML reader
        # yields): anything else (a subclass, a date) is refused, not turned into text.
        return orjson.dumps(row, option=_PLAIN) + b"\n"
    except (TypeError, ValueError):  # orjson's errors are TypeErrors
        return None


def _decode(line: bytes, items: Sequence[tuple[str, str]]) -> tuple[int, Read | SpecErrors]:
    row = orjson.loads(line)
    index = row[0]
    if len(row) == 2:  # noqa: PLR2004 - [index, errors]
        return index, SpecErrors([SpecError(*e) for e in row[1]])
    _, data, positions, values, secrets, texts = row
    locator = Locator(items[index][1], _locations(positions), _locations(values))
    return index, (data, locator, [SpecError(*e) for e in secrets],
                   [SpecError(*e) for e in texts])


def _error_row(error: SpecError) -> list[Any]:
    return [error.file, error.line, error.column, error.path, error.message]


def _rows(where: Mapping[tuple[str | int, ...], tuple[int, int]]) -> list[Any]:
    return [[list(path), line, column] for path, (line, column) in where.items()]


def _locations(rows: list[Any]) -> dict[tuple[str | int, ...], tuple[int, int]]:
    return {tuple(path): (line, column) for path, line, column in rows}
