"""The one list of output targets. Each is a pure function from the model to files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from generator.core.model import Model
from generator.targets import docs, exporter
from generator.targets.alertmanager import config as alertmanager
from generator.targets.grafana import alerting as grafana_alerting
from generator.targets.grafana import dashboard as grafana_dashboard
from generator.targets.grafana import notifications as grafana_notifications
from generator.targets.prometheus import rule_files, unit_tests
from generator.targets.prometheus import scrape as prometheus_scrape

Files = dict[PurePath, str]


@dataclass(frozen=True)
class Target:
    """A named renderer of one artefact family."""

    name: str
    render: Callable[[Model], Files]


TARGETS = (
    Target("alertmanager", alertmanager.render),
    Target("docs", docs.render),
    Target("exporter", exporter.render),
    Target("grafana-alerting", grafana_alerting.render),
    Target("grafana-dashboards", grafana_dashboard.render),
    Target("grafana-notifications", grafana_notifications.render),
    Target("prometheus", rule_files.render),
    Target("prometheus-scrape", prometheus_scrape.render),
    Target("prometheus-tests", unit_tests.render),
)


def render_all(model: Model, only: frozenset[str] | None = None) -> Files:
    """Render every target (or those named in `only`) into one mapping of relative path -> text."""
    files: Files = {}
    owner: dict[PurePath, str] = {}
    for target in TARGETS:
        if only is not None and target.name not in only:
            continue
        for path, text in target.render(model).items():
            if path in files:
                raise ValueError(f"targets {owner[path]} and {target.name} both write {path}")
            files[path], owner[path] = text, target.name
    return dict(sorted(files.items()))


def target_names() -> list[str]:
    """Names of the registered targets."""
    return [t.name for t in TARGETS]
