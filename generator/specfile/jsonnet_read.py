"""Read a run's Jsonnet specs: decode, evaluate in the sandbox (one child for all), locate."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.core.errors import SpecError, SpecErrors, format_path
from generator.specfile.jsonnet_locate import JsonnetPositions
from generator.specfile.jsonnet_sandbox import JsonnetSource, Roots, evaluate
from generator.specfile.sourcetext import read_spec_text
from generator.specfile.yamlcompose import MAX_ALIAS_NODES, MAX_DEPTH, MAX_NODES
from generator.specfile.yamlread import Locator

Read = tuple[Any, Locator]


def read_jsonnet_files(files: Sequence[tuple[Path, str]], spec_dir: Path, shown_dir: str,
                       library: Path | None) -> dict[Path, Read | SpecErrors]:
    """Each (path, shown) file's data and Locator, or its SpecErrors."""
    out: dict[Path, Read | SpecErrors] = {}
    sources: list[JsonnetSource] = []
    for path, shown in files:
        try:
            text = read_spec_text(path, shown)
        except SpecErrors as exc:
            out[path] = exc
            continue
        sources.append(JsonnetSource(path.resolve(), shown, text))
    if not sources:
        return out
    if _binding_missing():
        for source in sources:
            out[next(p for p, shown in files if shown == source.shown)] = SpecErrors([SpecError(
                source.shown, 1, 1, "(document)",
                "Jsonnet specs need the jsonnet package: pip install 'slogen[jsonnet]'")])
        return out
    roots = _roots(spec_dir, shown_dir, library)
    for (path, shown), source, result in zip(
            [f for f in files if f[0] not in out], sources, evaluate(sources, roots), strict=True):
        if isinstance(result, SpecError):
            out[path] = SpecErrors([result])
            continue
        problem = _too_big(result)
        if problem is not None:
            out[path] = SpecErrors([SpecError(shown, 1, 1, format_path(problem[0]),
                                              problem[1])])
            continue
        out[path] = (result, Locator(shown, JsonnetPositions(source.text, result)))
    return out


def _binding_missing() -> bool:
    if "_jsonnet" in sys.modules:
        return sys.modules["_jsonnet"] is None
    return importlib.util.find_spec("_jsonnet") is None


def _roots(spec_dir: Path, shown_dir: str, library: Path | None) -> Roots:
    real_dir = spec_dir.resolve()
    allowed, libraries = [real_dir], []
    shown = [(str(real_dir), shown_dir)]
    if library is not None and library.is_dir():
        real_lib = library.resolve()
        libraries.append(real_lib)
        if real_lib != real_dir and real_dir not in real_lib.parents:
            allowed.append(real_lib)  # a library linked in from elsewhere
            shown.append((str(real_lib), f"{shown_dir}/{library.name}"))
    shown.sort(key=lambda pair: -len(pair[0]))
    return Roots(tuple(allowed), tuple(libraries), tuple(shown))


def _too_big(data: Any) -> tuple[tuple[str | int, ...], str] | None:
    """The same depth and size limits as YAML specs, on the evaluated output."""
    count = 0
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        count += 1
        if count > MAX_NODES + MAX_ALIAS_NODES:
            return (), (f"Jsonnet output has more than {MAX_NODES + MAX_ALIAS_NODES:,} "
                         "values; split the spec into several files")
        if len(loc) > MAX_DEPTH:
            return loc[:3], f"Jsonnet output nests deeper than {MAX_DEPTH} levels below here"
        if isinstance(node, dict):
            stack.extend(((*loc, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(node))
    return None
