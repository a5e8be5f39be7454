"""Check every SQL query of a spec set (health checks, compare queries, Grafana SQL alerts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator.core.errors import Loc, SpecError
from generator.specfile.models import GlobalSpec, HealthCheckSpec, ServiceSpec
from generator.specfile.yamlread import Locator

if TYPE_CHECKING:
    from generator.specfile.sql_check import SqlProblem

_GRAFANA_DIALECTS = {"postgres": "postgres", "mysql": "mysql"}


def sql_errors(services: Sequence[tuple[ServiceSpec, Locator]],
               global_spec: GlobalSpec) -> list[SpecError]:
    """Located errors for every query that is not one read-only SELECT of the right columns."""
    if not any(s.health_checks or any(a.sql is not None for a in s.grafana_alerts)
               for s, _ in services):
        return []  # no SQL: the SQL parser (a tenth of a second to import) is not loaded
    from generator.specfile.sql_check import check_query, dialect_of

    dialects = {name: dialect_of(db.url) for name, db in global_spec.databases.items()}
    sources = {ds.uid: _GRAFANA_DIALECTS.get(ds.type.value)
               for ds in global_spec.grafana.datasources}
    errors: list[SpecError] = []
    for spec, locator in services:
        for index, check in enumerate(spec.health_checks):
            loc: Loc = ("health_checks", index, "sql")
            errors += _located(locator, loc, check_query(
                check.sql, dialects.get(check.database), _columns(check)))
            if check.compare is not None:
                database = check.compare.database or check.database
                errors += _located(locator, ("health_checks", index, "compare", "sql"),
                                   check_query(check.compare.sql, dialects.get(database),
                                               check.values[:1]))
        for index, alert in enumerate(spec.grafana_alerts):
            if alert.sql is not None:
                errors += _located(locator, ("grafana_alerts", index, "sql"), check_query(
                    alert.sql, sources.get(alert.datasource) or "postgres", None))
    return errors


def _columns(check: HealthCheckSpec) -> list[str]:
    return [*check.values, *check.labels]


def _located(locator: Locator, loc: Loc, problems: list[SqlProblem]) -> list[SpecError]:
    return [locator.error(loc, p.message) for p in problems]
