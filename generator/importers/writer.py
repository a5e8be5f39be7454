"""Converted specs as YAML text, with a header naming where they came from."""

from __future__ import annotations

import io

from ruamel.yaml import YAML

from generator.importers.common import Imported


def spec_text(item: Imported, source: str) -> str:
    """The service spec as a slogen YAML file."""
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(item.spec, buf)
    return f"# Imported from {source} by `slogen import`.\n{buf.getvalue()}"
