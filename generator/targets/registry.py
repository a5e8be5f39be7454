"""The one list of output targets. Each is a pure function from the model to files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import PurePath

from generator.core.model import Model, Service
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


def _one_service(model: Model, service: Service) -> Model:
    return replace(model, services=(service,))


# The files of one service that depend only on that service's spec and the global settings,
# by target: rendered again only when one of those changed. The targets whose files read every
# service (Alertmanager, the overview, the docs index, ...) are SHARED and always rendered.
def rule_files_of(model: Model, service: Service) -> Files:
    """The rule files of one service (target "prometheus")."""
    return rule_files.render(_one_service(model, service))


def _unit_tests_of(model: Model, service: Service) -> Files:
    return unit_tests.render(_one_service(model, service))


RULE_FILES = rule_files_of
PER_SERVICE: tuple[tuple[str, Callable[[Model, Service], Files]], ...] = (
    ("docs", docs.render_service),
    ("grafana-dashboards", grafana_dashboard.render_service),
    ("prometheus-tests", _unit_tests_of),
)
SHARED: tuple[tuple[str, Callable[[Model], Files]], ...] = (
    ("alertmanager", alertmanager.render),
    ("docs", docs.render_shared),
    ("exporter", exporter.render),
    ("grafana-alerting", grafana_alerting.render),
    ("grafana-dashboards", grafana_dashboard.render_shared),
    ("grafana-notifications", grafana_notifications.render),
    ("prometheus-scrape", prometheus_scrape.render),
)


def service_context(model: Model) -> list[str]:
    """What a service's own files read of the other services: the dashboard folders in use
    (with several, each folder's dashboards go to their own directory)."""
    return grafana_dashboard.folders(model)


def render_service(model: Model, service: Service) -> Iterator[tuple[PurePath, str]]:
    """The files of `service` other than its rule files (see RULE_FILES), target by target."""
    for _, render in PER_SERVICE:
        yield from render(model, service).items()


def render_shared(model: Model) -> Iterator[tuple[PurePath, str]]:
    """The files that read every service, target by target."""
    for _, render in SHARED:
        yield from render(model).items()


def target_names() -> list[str]:
    """Names of the registered targets."""
    return [t.name for t in TARGETS]
