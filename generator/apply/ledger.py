"""The ledger: which contact points, templates, mute timings and policy tree slogen owns.

These objects carry no labels or tags, and secret settings come back redacted, so neither
ownership nor equality can be read from the objects themselves. slogen records both in one
notification template, `slogen_managed`, whose body is a Go template comment holding JSON. It is
read with the templates (no extra request) and lets a no-op apply skip reading contact points,
mute timings and policies altogether.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

LEDGER_NAME = "slogen_managed"
_BODY = re.compile(r"\{\{/\*\s*(\{.*\})\s*\*/\}\}", re.DOTALL)


@dataclass
class Ledger:
    """Owned contact points (uid), templates and mute timings (name), each with its hash, and
    the policy tree's hash."""

    contact_points: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    policies: str | None = None
    mute_timings: dict[str, str] = field(default_factory=dict)

    def to_template(self) -> str:
        """The template text that stores this ledger."""
        data = {"contact_points": dict(sorted(self.contact_points.items())),
                "mute_timings": dict(sorted(self.mute_timings.items())),
                "policies": self.policies, "templates": dict(sorted(self.templates.items()))}
        body = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return f'{{{{ define "{LEDGER_NAME}" }}}}{{{{/* {body} */}}}}{{{{ end }}}}'

    def copy(self) -> Ledger:
        """An independent copy, to tell later whether anything changed."""
        return Ledger(dict(self.contact_points), dict(self.templates), self.policies,
                      dict(self.mute_timings))


def parse_ledger(text: str | None) -> Ledger:
    """The ledger stored in `text`; an empty one when it is missing or unreadable."""
    match = _BODY.search(text or "")
    if not match:
        return Ledger()
    try:
        data: Any = json.loads(match.group(1))
    except ValueError:
        return Ledger()
    if not isinstance(data, dict):
        return Ledger()
    policies = data.get("policies")
    return Ledger(_str_map(data.get("contact_points")), _str_map(data.get("templates")),
                  policies if isinstance(policies, str) else None,
                  _str_map(data.get("mute_timings")))


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}
