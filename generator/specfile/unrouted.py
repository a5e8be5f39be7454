"""Warnings for alerts that would reach nobody: specs without routing produce no alertmanager.yml.

A spec set with a single service file and no `_global.yaml` (the README's first example) used
to generate critical alerts silently routed to "(none)". Each such alert now gets a located
warning; declaring receivers and `routing.receiver` is the fix.
"""

from __future__ import annotations

from generator.core import model as m
from generator.core.errors import SpecError

GLOBAL_FILE = "_global.yaml"


def unrouted_alerts(model: m.Model) -> tuple[SpecError, ...]:
    """One warning per Prometheus alert (SLO burn alerts included) when no routing exists."""
    if model.route_tree is not None:
        return ()
    where = model.global_file or GLOBAL_FILE
    fix = (f"the specs declare no routing, so no alertmanager.yml is generated; declare "
           f"receivers and routing.receiver in {where}")
    found: list[SpecError] = []
    for service in model.services:
        for slo in service.slos:
            for severity in dict.fromkeys(w.severity for w in slo.burn_windows):
                found.append(_warning(slo.source, f"{slo.alert_name} ({severity.value})", fix))
        for alert in service.alerts:
            severities = [t.severity for t in m.alert_tiers(alert)] or [alert.severity]
            for severity in dict.fromkeys(severities):
                found.append(_warning(alert.source, f"{alert.name} ({severity.value})", fix))
    return tuple(found)


def _warning(source: m.Source, alert: str, fix: str) -> SpecError:
    return SpecError(source.file, source.line, source.column, source.path,
                     f"warning: alert {alert} reaches no receiver: {fix}")
