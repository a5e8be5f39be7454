"""Read spec files (YAML or Jsonnet) into spec models, keeping every key's line and column.

Every problem in every file is collected and raised together as `SpecErrors`.
"""

from __future__ import annotations

import difflib
import io
import json
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from generator.spec.errors import Loc, SpecError, SpecErrors, format_path
from generator.spec.models import SPEC_VERSION, GlobalSpec, ServiceSpec

GLOBAL_FILE_STEM = "_global"
SPEC_SUFFIXES = (".yaml", ".yml", ".jsonnet")
MAX_FILE_BYTES = 4 * 1024 * 1024
JSONNET_LIB_DIR = "lib"


@dataclass(frozen=True)
class Locator:
    """Maps a key path inside one file to the line and column where it is written."""

    file: str
    positions: Mapping[Loc, tuple[int, int]] = field(default_factory=dict)

    def find(self, loc: Sequence[str | int]) -> tuple[int | None, int | None]:
        """Position of `loc`, or of its nearest written ancestor when `loc` itself is missing."""
        path = tuple(loc)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (None, None))

    def error(self, loc: Sequence[str | int], message: str) -> SpecError:
        """A located error for `loc` in this file."""
        line, column = self.find(loc)
        return SpecError(self.file, line, column, format_path(loc), message)


@dataclass(frozen=True)
class LoadedService:
    """A parsed service file and where its keys are."""

    spec: ServiceSpec
    locator: Locator


@dataclass(frozen=True)
class LoadedSpecs:
    """Everything read from a spec directory."""

    services: tuple[LoadedService, ...]
    global_spec: GlobalSpec
    global_locator: Locator


def load_specs(spec_dir: Path, display_root: Path | None = None) -> LoadedSpecs:
    """Load `_global` and every service file below `spec_dir`; raise SpecErrors with all problems."""
    root = display_root if display_root is not None else Path.cwd()
    if not spec_dir.is_dir():
        raise SpecErrors([SpecError(str(spec_dir), None, None, "(directory)",
                                    "spec directory does not exist; pass --specs DIR")])
    errors: list[SpecError] = []
    services: list[LoadedService] = []
    global_spec: GlobalSpec | None = None
    global_locator = Locator(_display(spec_dir / "_global.yaml", root))
    for path in _spec_files(spec_dir):
        shown = _display(path, root)
        try:
            data, locator = read_document(path, shown, spec_dir / JSONNET_LIB_DIR)
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        if path.stem == GLOBAL_FILE_STEM:
            global_locator = locator
            global_spec = _validate(GlobalSpec, data, locator, errors)
        else:
            spec = _validate(ServiceSpec, data, locator, errors)
            if spec is not None:
                services.append(LoadedService(spec, locator))
    if errors:
        raise SpecErrors(errors)
    if global_spec is None:
        global_spec = GlobalSpec(version=SPEC_VERSION)
    return LoadedSpecs(tuple(services), global_spec, global_locator)


def _spec_files(spec_dir: Path) -> list[Path]:
    lib = spec_dir / JSONNET_LIB_DIR
    return sorted(
        p for p in spec_dir.rglob("*")
        if p.is_file() and p.suffix in SPEC_SUFFIXES and lib not in p.parents
        and not any(part.startswith(".") for part in p.relative_to(spec_dir).parts)
    )


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def read_document(path: Path, shown: str, jsonnet_lib: Path | None = None) -> tuple[Any, Locator]:
    """Read one file into plain Python data plus a Locator; errors become SpecErrors."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SpecErrors([SpecError(shown, None, None, "(document)",
                                        f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")])
        if path.suffix == ".jsonnet":
            return _read_jsonnet(path, shown, jsonnet_lib), Locator(shown)
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"file is not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"cannot read file: {exc.strerror}")]) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str) -> tuple[Any, Locator]:
    """Parse YAML text into plain data and the position of every key and item."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        documents = list(yaml.load_all(io.StringIO(text)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise SpecErrors([SpecError(shown, line, column, "(document)",
                                    f"invalid YAML: {problem or 'cannot parse'}")]) from None
    except (YAMLError, ValueError, TypeError, RecursionError, AttributeError) as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"invalid YAML: {_one_line(exc)}")]) from None
    if len(documents) != 1:
        raise SpecErrors([SpecError(shown, 1, 1, "(document)",
                                    f"expected exactly one YAML document, found {len(documents)}")])
    positions: dict[Loc, tuple[int, int]] = {(): (1, 1)}
    try:
        data = _plain(documents[0], (), positions, set())
    except _PlainError as exc:
        line, column = positions.get(exc.loc, (None, None))
        raise SpecErrors([SpecError(shown, line, column, format_path(exc.loc), exc.message)]) from None
    return data, Locator(shown, positions)


class _PlainError(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        self.loc, self.message = loc, message


_MAX_DEPTH = 64


def _plain(node: Any, loc: Loc, positions: dict[Loc, tuple[int, int]], seen: set[int]) -> Any:
    """Convert ruamel nodes to dicts, lists and scalars, recording positions on the way."""
    if len(loc) > _MAX_DEPTH:
        raise _PlainError(loc, f"nesting deeper than {_MAX_DEPTH} levels")
    if isinstance(node, (CommentedMap, CommentedSeq)):
        if id(node) in seen:
            raise _PlainError(loc, "recursive YAML alias; write the value out instead")
        seen = seen | {id(node)}
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key in node:
            if not isinstance(key, str):
                raise _PlainError(loc, f"keys must be strings, got {key!r}; quote the key")
            child = (*loc, key)
            try:
                line, col = node.lc.key(key)
                positions[child] = (line + 1, col + 1)
            except (KeyError, TypeError, AttributeError):
                positions[child] = positions.get(loc, (1, 1))
            out[key] = _plain(node[key], child, positions, seen)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*loc, index)
            try:
                line, col = node.lc.item(index)
                positions[child] = (line + 1, col + 1)
            except (KeyError, TypeError, AttributeError):
                positions[child] = positions.get(loc, (1, 1))
            items.append(_plain(value, child, positions, seen))
        return items
    if node is None or isinstance(node, (bool, int, float)):
        return _number(node, loc)
    if isinstance(node, str):
        return str(node)
    if hasattr(node, "tag") and hasattr(node, "value"):
        raise _PlainError(loc, f"YAML tag {getattr(node.tag, 'value', node.tag)!s} is not supported")
    # Dates, binary and other YAML types: specs only use strings, numbers, lists and maps.
    raise _PlainError(loc, f"unsupported YAML value of type {type(node).__name__}; quote it")


def _number(value: Any, loc: Loc) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    result = float(value)
    if result != result or result in (float("inf"), float("-inf")):
        raise _PlainError(loc, "NaN and infinity are not allowed here")
    return result


def _read_jsonnet(path: Path, shown: str, lib: Path | None) -> Any:
    import _jsonnet  # the binding is heavy to import; only Jsonnet users pay for it

    search = [str(lib)] if lib is not None and lib.is_dir() else []
    try:
        rendered = _jsonnet.evaluate_file(str(path), jpathdir=search)
    except RuntimeError as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"Jsonnet evaluation failed: {_one_line(exc)}")]) from None
    return json.loads(rendered)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500]


# --- pydantic errors -> SpecErrors ---------------------------------------------------------


def _validate(model: type[BaseModel], data: Any, locator: Locator,
              errors: list[SpecError]) -> Any:
    if not isinstance(data, dict):
        errors.append(locator.error((), f"expected a mapping with version: {SPEC_VERSION}, "
                                        f"got {_kind(data)}"))
        return None
    version = data.get("version")
    if version != SPEC_VERSION:
        message = (f"unsupported version {version!r}; expected {SPEC_VERSION}" if version is not None
                   else f"missing version; add `version: {SPEC_VERSION}` as the first line")
        errors.append(locator.error(("version",), message))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(translate_errors(model, exc.errors(), locator))
        return None


def translate_errors(model: type[BaseModel], details: Iterable[ErrorDetails],
                     locator: Locator) -> list[SpecError]:
    """Turn pydantic error details into located, plain-language SpecErrors."""
    out = []
    for detail in details:
        loc = _clean_loc(detail["loc"])
        out.append(locator.error(loc, _message(model, detail, loc)))
    return out


def _clean_loc(loc: Sequence[Any]) -> Loc:
    # Pydantic inserts union member and validator names into loc; users never wrote those.
    cleaned: list[str | int] = []
    for part in loc:
        if isinstance(part, int) or isinstance(part, str) and not (part.startswith("function-") or "[" in part
                                            or part in {"float", "int", "str", "bool", "none"}):
            cleaned.append(part)
    return tuple(cleaned)


def _message(model: type[BaseModel], detail: ErrorDetails, loc: Loc) -> str:
    kind, ctx, value = detail["type"], detail.get("ctx") or {}, detail.get("input")
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        hint = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        suffix = f"; did you mean {hint[0]!r}?" if hint else (
            f"; known keys: {', '.join(sorted(known))}" if known else "")
        return f"unknown key {loc[-1]!r}{suffix}"
    if kind == "missing":
        return "required key is missing"
    got = f" (got {_show(value)})"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
              "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()), "")
        if loc and loc[-1] == "objective":
            return f"{_show(value)} is not a percentage between 0 and 100 (exclusive)"
        return f"must be {op} {bound}{got}"
    if kind == "string_pattern_mismatch":
        return f"{_show(value)} is not valid here: {_pattern_help(str(ctx.get('pattern', '')))}"
    if kind == "literal_error" or kind == "enum":
        return f"{_show(value)} is not allowed; use one of {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    if kind in ("string_type", "float_type", "int_type", "bool_type", "dict_type", "list_type",
                "model_type", "tuple_type", "float_parsing", "int_parsing", "bool_parsing",
                "int_from_float", "model_attributes_type"):
        want = {"string_type": "a string", "float_type": "a number", "int_type": "a whole number",
                "bool_type": "true or false", "dict_type": "a mapping", "list_type": "a list",
                "model_type": "a mapping", "tuple_type": "a list", "float_parsing": "a number",
                "int_parsing": "a whole number", "bool_parsing": "true or false",
                "int_from_float": "a whole number",
                "model_attributes_type": "a mapping"}[kind]
        return f"expected {want}, got {_kind(value)}{got if not isinstance(value, (dict, list)) else ''}"
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        return detail["msg"].replace("Value", "value").replace("List", "list") + got
    return f"{detail['msg']}{got}"


_PATTERN_HELP = {
    "^[a-z][a-z0-9_-]*$": "use lower-case letters, digits, '-' and '_', starting with a letter",
    "^[a-zA-Z_][a-zA-Z0-9_]*$": "a label name has letters, digits and '_', and no leading digit",
    "^[a-zA-Z_:][a-zA-Z0-9_:]*$": "a metric name has letters, digits, '_' and ':'",
    "^[A-Za-z][A-Za-z0-9_]*$": "an alert name has letters, digits and '_', starting with a letter",
    "^[a-zA-Z0-9_-]+$": "a uid has letters, digits, '-' and '_' (at most 40)",
    "^https?://\\S+$": "expected an http:// or https:// URL",
}


def _pattern_help(pattern: str) -> str:
    return _PATTERN_HELP.get(pattern, f"must match {pattern}")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "...")
    if isinstance(value, (dict, list)):
        return _kind(value)
    return repr(value)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "nothing"}.get(type(value), "a value")


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Names a user may write at `loc` (field names and aliases), for did-you-mean hints."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap_model(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap_model(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (list, tuple) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def _unwrap_model(annotation: Any) -> Any:
    """Strip Optional/Annotated to reach the model or container inside."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation
