"""Shared pieces of the spec importers: the result type and name clean-up with notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_WINDOW = re.compile(r"\{\{\s*\.?[wW]indow\s*\}\}")


@dataclass
class Imported:
    """A converted service spec and what could not be carried over."""

    service: str
    spec: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def identifier(text: str, where: str, notes: list[str]) -> str:
    """`text` as a slogen id (lower case, letters, digits, - and _), noting any change."""
    clean = re.sub(r"[^a-z0-9_-]+", "-", text.strip().lower()).strip("-_")
    if not clean or not clean[0].isalpha():
        clean = f"x-{clean}" if clean else "unnamed"
    clean = clean[:63]
    if clean != text:
        notes.append(f"{where}: {text!r} renamed {clean!r} (slogen ids are lower case)")
    assert _IDENTIFIER.match(clean)
    return clean


def label_map(labels: dict[str, Any], where: str, notes: list[str]) -> dict[str, str]:
    """Labels whose names Prometheus accepts; others are noted and dropped."""
    out = {}
    for name, value in labels.items():
        if _LABEL.match(str(name)):
            out[str(name)] = str(value)
        else:
            notes.append(f"{where}.{name}: not a valid label name, dropped")
    return dict(sorted(out.items()))


def window_template(query: str) -> str:
    """A query with Sloth's `{{.window}}` written as slogen's `{{window}}`."""
    return _WINDOW.sub("{{window}}", query.strip())
