"""The ledger: every object slogen owns in one Grafana org, with what it wrote there.

Grafana drops or cannot hold most ownership markers: a folder's description is never returned,
contact points, mute timings, templates and the policy tree carry no labels or tags, and secret
settings come back redacted. So slogen records, for each object it writes, its kind and key
(uid, or name), the content hash of the body it sent (placeholders, not secrets), the version
Grafana answered (folders, datasources, dashboards) and the provenance it was written with.

The ledger is one notification template, `slogen_managed`, whose body is a Go template comment
holding JSON: it is read with the other templates (no extra request) and renders to nothing.
When it is lost, ownership is rebuilt from the markers Grafana does return (dashboard tags, rule
labels, datasource jsonData) and from objects identical to the specs; see `plan.py`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

LEDGER_NAME = "slogen_managed"
FORMAT = 2
_BODY = re.compile(r"\{\{/\*\s*(\{.*\})\s*\*/\}\}", re.DOTALL)
# Keys of the first format, which only covered the notification kinds.
_V1_KINDS = {"contact_points": "contact-point", "templates": "template",
             "mute_timings": "mute-timing"}


@dataclass
class Ledger:
    """Owned objects as kind -> key -> [hash, version or None, provenance or None]; provenance
    is "api", or "" when an alerting object was written with X-Disable-Provenance.

    `present` is False when Grafana held no ledger template at all (a fresh org, or it was
    deleted): the plan then says so and rebuilds ownership from other evidence.
    """

    objects: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    present: bool = True
    template_provenance: str | None = None  # of the ledger template itself, as Grafana says

    def owns(self, kind: str, key: str) -> bool:
        """True when the object is recorded as slogen's."""
        return key in self.objects.get(kind, {})

    def hash(self, kind: str, key: str) -> str | None:
        """The content hash slogen last wrote for the object, if recorded."""
        entry = self.objects.get(kind, {}).get(key)
        return str(entry[0]) if entry else None

    def version(self, kind: str, key: str) -> int | None:
        """The version Grafana answered to slogen's last write, if it gives one."""
        entry = self.objects.get(kind, {}).get(key)
        return entry[1] if entry and isinstance(entry[1], int) else None

    def provenance(self, kind: str, key: str) -> str | None:
        """The provenance slogen last wrote the object with, if recorded."""
        entry = self.objects.get(kind, {}).get(key)
        return entry[2] if entry and isinstance(entry[2], str) else None

    def keys(self, kind: str) -> list[str]:
        """Every recorded key of `kind`, sorted."""
        return sorted(self.objects.get(kind, {}))

    def record(self, kind: str, key: str, digest: str, version: int | None = None,
               provenance: str | None = None) -> None:
        """Note that slogen wrote `digest` to the object (Grafana answered `version`)."""
        self.objects.setdefault(kind, {})[key] = [digest, version, provenance]

    def forget(self, kind: str, key: str) -> None:
        """Drop the object (slogen deleted it)."""
        self.objects.get(kind, {}).pop(key, None)

    def to_template(self) -> str:
        """The template text that stores this ledger."""
        data = {"format": FORMAT, "objects": {kind: dict(sorted(keys.items()))
                            for kind, keys in sorted(self.objects.items()) if keys}}
        body = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return f'{{{{ define "{LEDGER_NAME}" }}}}{{{{/* {body} */}}}}{{{{ end }}}}'

    def copy(self) -> Ledger:
        """An independent copy, to tell later whether anything changed."""
        objects = {kind: {key: list(entry) for key, entry in keys.items()}
                   for kind, keys in self.objects.items()}
        return Ledger(objects, self.present, self.template_provenance)

    def same_records(self, other: Ledger) -> bool:
        """True when both hold the same objects (presence aside)."""
        mine = {k: v for k, v in self.objects.items() if v}
        theirs = {k: v for k, v in other.objects.items() if v}
        return mine == theirs


def parse_ledger(text: str | None) -> Ledger:
    """The ledger stored in `text`; an empty one, marked absent, when it is missing."""
    if text is None:
        return Ledger(present=False)
    match = _BODY.search(text)
    data: Any = None
    if match:
        try:
            data = json.loads(match.group(1))
        except ValueError:
            data = None
    if not isinstance(data, dict):
        return Ledger(present=False)
    if "objects" not in data:
        return _from_v1(data)
    objects: dict[str, dict[str, list[Any]]] = {}
    for kind, keys in (data.get("objects") or {}).items():
        if isinstance(keys, dict):
            objects[str(kind)] = {str(k): _entry(v) for k, v in keys.items()}
    return Ledger(objects)


def _entry(value: Any) -> list[Any]:
    if isinstance(value, list) and value:
        version = value[1] if len(value) > 1 and isinstance(value[1], int) else None
        provenance = value[2] if len(value) > 2 and isinstance(value[2], str) else None
        return [str(value[0]), version, provenance]
    return [str(value), None, None]


def _from_v1(data: dict[str, Any]) -> Ledger:
    """A ledger of the first format: contact points, templates, mute timings, policy hash."""
    ledger = Ledger()
    for old, kind in _V1_KINDS.items():
        for key, digest in (data.get(old) or {}).items():
            ledger.record(kind, str(key), str(digest))
    if isinstance(data.get("policies"), str):
        ledger.record("policy", "policies", data["policies"])
    return ledger
