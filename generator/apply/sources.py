"""Where in the specs each Grafana object was declared, to point API errors at the spec."""

from __future__ import annotations

from dataclasses import replace

from generator.apply.desired import Kind
from generator.apply.execute import Outcome
from generator.core.model import Model


def spec_locations(model: Model) -> dict[tuple[Kind, str], str]:
    """`file:line: path` (or just the file) per (kind, key) of the objects apply pushes."""
    found: dict[tuple[Kind, str], str] = {}
    for service in model.services:
        for alert in service.grafana_alerts:
            key = (Kind.RULE_GROUP, f"{alert.folder_uid}/{alert.group}")
            found.setdefault(key, alert.source.prefix())
        if service.dashboard is not None:
            found[(Kind.DASHBOARD, service.dashboard.uid)] = service.source_file
    where = model.global_file or "the global spec"
    for folder in model.grafana.folders:
        found[(Kind.FOLDER, folder.uid)] = f"{where}: grafana.folders"
    for ds in model.grafana.datasources:
        found[(Kind.DATASOURCE, ds.uid)] = f"{where}: grafana.datasources"
    return found


def with_locations(outcomes: list[Outcome], model: Model) -> list[Outcome]:
    """Failed outcomes with the spec location of their object appended."""
    places = spec_locations(model)
    return [replace(o, message=f"{o.message} (declared at {places[(o.change.kind, o.change.key)]})")
            if o.result == "failed" and (o.change.kind, o.change.key) in places else o
            for o in outcomes]
