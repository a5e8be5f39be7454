"""Converted specs as YAML text, with a header naming where they came from."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from generator.importers.common import Imported


def spec_text(item: Imported, source: str) -> str:
    """The service spec as a slogen YAML file."""
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(_literal(item.spec), buf)
    return f"# Imported from {source} by `slogen import`.\n{buf.getvalue()}"


def _literal(value: Any) -> Any:
    """Multi-line strings (queries) as YAML block literals, readable as written."""
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value.strip() + "\n" if value.strip() else value)
    return value
