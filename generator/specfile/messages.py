"""Turn pydantic validation errors into located, plain-language SpecErrors."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from generator.core.errors import Loc, SpecError
from generator.specfile.models.base import ONE_KIND_ERROR, given_keys
from generator.specfile.yamlread import Locator

_NOT_GIVEN = object()

_WANT = {
    "string_type": "a string", "float_type": "a number", "int_type": "a whole number",
    "bool_type": "true or false", "dict_type": "a mapping", "list_type": "a list",
    "model_type": "a mapping", "tuple_type": "a list", "float_parsing": "a number",
    "int_parsing": "a whole number", "bool_parsing": "true or false",
    "int_from_float": "a whole number", "model_attributes_type": "a mapping",
    "enum_type": "one of the listed values", "literal_type": "one of the listed values",
}
_OPS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
_PATTERN_HELP = {
    "^[a-z][a-z0-9_-]*$": "use lower-case letters, digits, '-' and '_', starting with a letter",
    "^[a-zA-Z_][a-zA-Z0-9_]*$": "a label name has letters, digits and '_', and no leading digit",
    "^[a-zA-Z_:][a-zA-Z0-9_:]*$": "a metric name has letters, digits, '_' and ':'",
    "^[A-Za-z][A-Za-z0-9_]*$": "an alert name has letters, digits and '_', starting with a letter",
    "^[a-zA-Z0-9_-]+$": "a uid has letters, digits, '-' and '_'",
    "^https?://\\S+$": "expected an http:// or https:// URL",
    "^[a-zA-Z_][a-zA-Z0-9_-]*$": "a group name has letters, digits, '-' and '_'",
}


def translate_errors(model: type[BaseModel], details: Iterable[ErrorDetails],
                     locator: Locator, data: Any = _NOT_GIVEN) -> list[SpecError]:
    """Turn pydantic error details into located SpecErrors; `data` is what was validated."""
    out = []
    for detail in details:
        loc = _clean_loc(detail["loc"], data, detail["type"])
        typo = _misspelt_kind(model, detail, loc)
        if typo is not None:
            # No kind key, but one was misspelt: point at the misspelling, as for any unknown key.
            loc = (*loc, typo)
            out.append(locator.error(loc, _unknown_key(model, loc), key=True))
            continue
        key_error = detail["type"] in ("extra_forbidden", "missing")
        out.append(locator.error(loc, _message(model, detail, loc), key=key_error))
    return out


def _misspelt_kind(model: type[BaseModel], detail: ErrorDetails, loc: Loc) -> str | None:
    """The unknown key of a kind-less mapping that is close to one of the kind keys, if any."""
    value, ctx = detail.get("input"), detail.get("ctx") or {}
    if detail["type"] != ONE_KIND_ERROR or not isinstance(value, dict):
        return None
    kinds = str(ctx.get("keys", "")).split(",")
    if given_keys(value, kinds):
        return None
    known = set(_fields_at(model, loc))
    for key in value:
        if isinstance(key, str) and key not in known and _close_matches(
                key, kinds, n=1, cutoff=0.6):
            return key
    return None


def _clean_loc(loc: Sequence[Any], data: Any, kind: str) -> Loc:
    """Drop the parts of pydantic's loc that users never wrote (union members, validators)."""
    if data is _NOT_GIVEN:
        return tuple(p for p in loc if isinstance(p, int) or (
            isinstance(p, str) and not p.startswith("function-") and "[" not in p))
    cleaned: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
        elif last and kind in ("missing", "extra_forbidden") and isinstance(part, str):
            pass
        else:
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _message(model: type[BaseModel], detail: ErrorDetails, loc: Loc) -> str:
    kind, ctx, value = detail["type"], detail.get("ctx") or {}, detail.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    if kind == "missing":
        return "required key is missing"
    if kind in _OPS:
        if loc and loc[-1] == "objective":
            return f"{_show(value)} is not a percentage between 0 and 100 (exclusive)"
        return f"must be {_OPS[kind]} {next(iter(ctx.values()), '')} (got {_show(value)})"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        help_text = _PATTERN_HELP.get(pattern, f"must match {pattern}")
        return f"{_show(value)} is not valid here: {help_text}"
    if kind in ("literal_error", "enum"):
        return f"{_show(value)} is not allowed; use one of {ctx.get('expected', '')}"
    if kind == ONE_KIND_ERROR:
        given = given_keys(value, str(ctx.get("keys", "")).split(","))
        return f"give exactly one of {ctx.get('choices')}" + (
            f" (got {', '.join(given)})" if given else "")
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    if kind == "finite_number":
        return (f"expected a finite number, got {_show(value)}: NaN and infinity are not "
                "allowed here")
    if kind in _WANT:
        got = _kind(value) if isinstance(value, (dict, list)) or value is None else _show(value)
        return f"expected {_WANT[kind]}, got {got}{_type_hint(kind, value)}"
    if kind in ("too_short", "string_too_short"):
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"needs at least {least} items"
    if kind in ("too_long", "string_too_long"):
        return f"is too long: at most {ctx.get('max_length')} " + (
            "characters" if kind == "string_too_long" else "items")
    return f"{detail['msg']} (got {_show(value)})"


def _type_hint(kind: str, value: Any) -> str:
    """A nudge for the usual mistakes: unquoted numbers where text goes, units on numbers."""
    if kind == "string_type" and isinstance(value, (bool, int, float)):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return f"; quote it if you mean the text: '{text}'"
    if kind == "float_parsing" and isinstance(value, str) and value.strip().endswith("%"):
        return f"; write the number without %: {value.strip().rstrip('%').strip()}"
    return ""


def _unknown_key(model: type[BaseModel], loc: Loc) -> str:
    known = _fields_at(model, loc[:-1])
    hint = _close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    if hint:
        return f"unknown key {loc[-1]!r}; did you mean {hint[0]!r}?"
    listed = f"; known keys: {', '.join(sorted(known))}" if known else ""
    return f"unknown key {loc[-1]!r}{listed}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "...")
    if isinstance(value, (dict, list)):
        return _kind(value)
    return repr(value)


def kind_of(value: Any) -> str:
    """How to call a parsed YAML value in a message: `a mapping`, `a list`, `a number`..."""
    return _kind(value)


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
    names: list[str] = []
    for member in _models_in(current):
        names += [f.alias or name for name, f in member.model_fields.items()
                  if (f.alias or name) not in names]
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model at an annotation, or every member model of a union of kinds."""
    annotation = _unwrap_model(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _models_in(a)]
    return []


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap_model(annotation)
    models = _models_in(annotation)
    if models:
        for model in models:  # a union of kinds: the first kind that has the key
            for name, info in model.model_fields.items():
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


def _close_matches(word: str, possibilities: Any, n: int = 3, cutoff: float = 0.6) -> list[str]:
    import difflib  # only when a message needs a suggestion: it costs time to import

    return difflib.get_close_matches(word, possibilities, n=n, cutoff=cutoff)
