"""Plan and apply out/grafana/api/ to one Grafana org: the entry points the command calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.apply.client import HttpClient
from generator.apply.desired import load_desired
from generator.apply.execute import Executor, Outcome
from generator.apply.plan import Action, Change, Options, Plan, build_plan


@dataclass
class GrafanaApply:
    """The plan, and after a real run the outcome of each write."""

    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when any write failed or an object was blocked."""
        return any(o.result in ("failed", "blocked") for o in self.outcomes)


def plan_grafana(client: HttpClient, api_dir: Path, options: Options) -> GrafanaApply:
    """Read the generated documents and Grafana's state; change nothing."""
    plan = build_plan(client, load_desired(api_dir), options)
    blocked = [Outcome(c, "blocked", c.reason) for c in plan.changes if c.action is Action.BLOCKED]
    return GrafanaApply(plan, blocked)


def execute(client: HttpClient, result: GrafanaApply, options: Options,
            environ: Mapping[str, str], progress: Callable[[Change], None] | None = None,
            file_root: Path | None = None) -> None:
    """Write every change of `result.plan` in dependency order; record the outcomes."""
    executor = Executor(client, options, environ, file_root)
    result.outcomes = executor.run(result.plan, progress)


def apply_grafana(client: HttpClient, api_dir: Path, options: Options,
                  environ: Mapping[str, str], dry_run: bool = False,
                  file_root: Path | None = None) -> GrafanaApply:
    """Plan, then (unless `dry_run`) apply: the whole run in one call."""
    result = plan_grafana(client, api_dir, options)
    if not dry_run:
        execute(client, result, options, environ, file_root=file_root)
    return result
