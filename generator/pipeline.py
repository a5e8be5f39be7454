"""The compile pipeline: spec files -> model -> rendered files. Pure except the promtool call.

Every PromQL expression in the specs is syntax-checked: by promtool, Prometheus's own parser,
where it is installed, else in-process by the Rust PromQL parser (core/promql_syntax.py), so a
broken expression is a located error on machines without promtool too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from generator.core import promql_syntax
from generator.core.catalog import unmet_mttd
from generator.core.errors import SpecError, SpecErrors
from generator.core.model import Model
from generator.specfile.build import build_model
from generator.specfile.loader import load_specs
from generator.targets.prometheus.writers import rule_problems
from generator.targets.registry import Files, render_all
from generator.validate import promtool as promtool_mod

if TYPE_CHECKING:
    from generator.specfile.parallel_read import Prefetch
    from generator.specfile.speccache import SpecCache


def compile_specs(spec_dir: Path, promtool: str | None, display_root: Path | None = None,
                  rules: bool = True, cache: SpecCache | None = None,
                  mttd: bool = True, promql: bool = True,
                  prefetched: Prefetch | None = None) -> Model:
    """Load, validate and resolve the specs; PromQL is syntax-checked by promtool when given,
    else in-process. `rules=False` leaves the generated rules' checks (`check_rules`) to the
    caller: `generate` runs them service by service as it renders (produce.py); so does
    `mttd=False` with `check_mttd` (generate skips services whose inputs passed before), and
    `promql=False` with `start_check_promql` (generate renders while promtool parses).
    `cache` spares re-reading spec files read before (see speccache.py); `prefetched` holds
    files read while slogen was still importing (see parallel_read.py)."""
    model = build_model(load_specs(spec_dir, display_root, cache, prefetched))
    if mttd:
        check_mttd(model)
    if promql:
        check_promql(model, promtool, cache)
    if rules:
        check_rules(model)
    return model


def check_rules(model: Model) -> None:
    """Raise SpecErrors for generated rules that do not parse, overwrite a label their
    expression keeps, or write a series another rule (in any file) writes too. Run at compile
    time, so `validate` and `generate` agree."""
    problems = rule_problems(model)
    if problems:
        raise SpecErrors(problems)


def check_mttd(model: Model, skip: frozenset[str] = frozenset()) -> None:
    """Raise SpecErrors for every alert whose worst-case time to notify exceeds its `mttd`,
    in every service but those named in `skip`.

    It reads the resolved routing (group_wait, receivers), so it runs on the finished model.
    """
    unmet = unmet_mttd(model, skip)
    if unmet:
        raise SpecErrors(unmet)


def check_promql(model: Model, promtool: str | None, cache: SpecCache | None = None) -> None:
    """Raise SpecErrors naming the spec location of every PromQL expression that does not parse
    (with promtool when given: it is the authority; else with the in-process parser). With
    `cache`, expressions the same parser accepted before are not checked again."""
    start_check_promql(model, promtool, cache).finish()


class PromqlCheck:
    """`check_promql` under way: promtool parses in the background until `finish`."""

    def __init__(self, model: Model, parser: str, indexes: list[int],
                 bad: dict[int, str] | promtool_mod.ParseCheck,
                 cache: SpecCache | None) -> None:
        self.model, self.parser, self.indexes, self.bad, self.cache = (
            model, parser, indexes, bad, cache)

    def finish(self) -> None:
        """Raise SpecErrors for the expressions that do not parse; else remember they did."""
        bad = self.bad.finish() if isinstance(self.bad, promtool_mod.ParseCheck) else self.bad
        if bad:
            raise SpecErrors(
                SpecError(src.file, src.line, src.column, src.path, f"invalid PromQL: {message}")
                for index, message in bad.items()
                for src in [self.model.expressions[self.indexes[index]][0]]
            )
        if self.cache is not None:
            self.cache.add_parsed(self.parser, {promql_digest(expr)
                                                for _, expr in self.model.expressions})

    def abandon(self) -> None:
        if isinstance(self.bad, promtool_mod.ParseCheck):
            self.bad.abandon()


def start_check_promql(model: Model, promtool: str | None,
                       cache: SpecCache | None = None) -> PromqlCheck:
    """`check_promql`, with promtool left running in the background (the in-process parser,
    used without promtool, is done at once); `finish()` raises what it found."""
    parser = promtool_mod.identity(promtool) if promtool is not None else "in-process"
    known = cache.parsed(parser) if cache is not None else frozenset()
    indexes = [i for i, (_, expr) in enumerate(model.expressions)
               if promql_digest(expr) not in known]
    exprs = [model.expressions[i][1] for i in indexes]
    # Hostile expressions (thousands of nested brackets or operators) take parsers minutes.
    bad: dict[int, str] | promtool_mod.ParseCheck = {
        i: problem for i, expr in enumerate(exprs)
        if (problem := promql_syntax.too_complex(expr)) is not None}
    if not bad and promtool is not None:
        bad = promtool_mod.ParseCheck(exprs, promtool)
    elif not bad:
        bad = {i: error for i, expr in enumerate(exprs)
               if (error := promql_syntax.parse_error(expr, rule=True)) is not None}
    return PromqlCheck(model, parser, indexes, bad, cache)


def promql_digest(expr: str) -> str:
    """How the cache names an expression that parsed."""
    return hashlib.blake2b(expr.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def render(model: Model, only: frozenset[str] | None = None) -> Files:
    """All generated files for `model`."""
    return render_all(model, only)
