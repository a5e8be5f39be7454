"""Grouped SLOs: an SLI that keeps labels (`sum by (route) (...)`, or `sli.group_by`) has one
value per combination of them, and the rules, burn-rate alerts and panels carry them.

A group label that the SLO's own rules set (service, team, slo, slo_id) is kept as
`exported_<label>`: the rule labels name the owning spec, the copy names the group.
"""

from __future__ import annotations

from functools import lru_cache

from generator.core import naming, promql_syntax
from generator.core.model import Slo

# Labels every recorded SLO series carries from its rules (see slo_rules.slo_labels).
SLO_RULE_LABELS = frozenset({naming.LABEL_SLO_ID, naming.LABEL_SLO, naming.LABEL_SERVICE,
                             naming.LABEL_TEAM})


def group_labels(slo: Slo) -> list[str]:
    """Labels both the bad and the all query keep, sorted: the SLO's groups."""
    return list(_kept_by_both(slo.sli.errors("5m"), slo.sli.total("5m")))


# Rules, tests, panels and docs all ask for an SLO's groups (13 times per SLO): parse once.
@lru_cache(maxsize=256)
def _kept_by_both(errors_expr: str, total_expr: str) -> tuple[str, ...]:
    errors = promql_syntax.shape(errors_expr)
    total = promql_syntax.shape(total_expr)
    return tuple(sorted(errors.kept & total.kept))


def series_group_labels(slo: Slo) -> list[str]:
    """The group labels as the recorded series carry them (exported_ where renamed)."""
    return [naming.EXPORTED_PREFIX + k if k in SLO_RULE_LABELS else k for k in group_labels(slo)]


def legend(slo: Slo, text: str) -> str:
    """A panel legend with the group's label values in front: `{{route}} 1h`."""
    groups = " ".join(f"{{{{{k}}}}}" for k in series_group_labels(slo))
    return f"{groups} {text}" if groups else text
