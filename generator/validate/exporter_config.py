"""Check that the generated exporter config loads in the exporter, before it replaces out/."""

from __future__ import annotations

from pathlib import Path

from generator.core.errors import SpecErrors
from generator.core.model import Model
from generator.validate.results import Problem, Tools

CONFIG = Path("exporter") / "config.yaml"


def check_exporter_config(staged: Path, model: Model, tools: Tools) -> list[Problem]:
    """A Problem per error the exporter would report for the staged config; none if it loads."""
    path = staged / CONFIG
    if not path.is_file():
        return []
    try:
        from generator.exporter.config import load_config  # the exporter is large

        load_config(path)
    except SpecErrors as exc:
        return [Problem("exporter config", CONFIG.as_posix(), str(exc))]
    return []
