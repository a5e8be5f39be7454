"""The compile pipeline: spec files -> model -> rendered files. Pure except the promtool call."""

from __future__ import annotations

from pathlib import Path

from generator.core.catalog import unmet_mttd
from generator.core.errors import SpecError, SpecErrors
from generator.core.model import Model
from generator.specfile.build import build_model
from generator.specfile.loader import load_specs
from generator.targets.registry import Files, render_all
from generator.validate import promtool as promtool_mod


def compile_specs(spec_dir: Path, promtool: str | None, display_root: Path | None = None) -> Model:
    """Load, validate and resolve the specs; PromQL is syntax-checked when promtool is given."""
    model = build_model(load_specs(spec_dir, display_root))
    check_mttd(model)
    if promtool is not None:
        check_promql(model, promtool)
    return model


def check_mttd(model: Model) -> None:
    """Raise SpecErrors for every alert whose worst-case time to notify exceeds its `mttd`.

    It reads the resolved routing (group_wait, receivers), so it runs on the finished model.
    """
    unmet = unmet_mttd(model)
    if unmet:
        raise SpecErrors(unmet)


def check_promql(model: Model, promtool: str) -> None:
    """Raise SpecErrors naming the spec location of every PromQL expression that does not parse."""
    exprs = [expr for _, expr in model.expressions]
    bad = promtool_mod.parse_errors(exprs, promtool)
    if bad:
        raise SpecErrors(
            SpecError(src.file, src.line, src.column, src.path, f"invalid PromQL: {message}")
            for index, message in bad.items()
            for src in [model.expressions[index][0]]
        )


def render(model: Model, only: frozenset[str] | None = None) -> Files:
    """All generated files for `model`."""
    return render_all(model, only)
