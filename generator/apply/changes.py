"""The vocabulary of a plan: actions, options, one change, the whole plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generator.apply.desired import KIND_ORDER, Desired, Kind
from generator.apply.ledger import Ledger


class Action(StrEnum):
    """What apply will do with one object."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"
    BLOCKED = "blocked"


class Refresh(StrEnum):
    """How the plan learns what Grafana holds."""

    FULL = "full"  # read every object's content: sees edits made in the Grafana UI
    MARKERS = "markers"  # trust hash markers and the ledger: <= 5 reads, blind to UI edits


DRIFTED = "drifted (edited in Grafana)"


@dataclass(frozen=True)
class Options:
    """Switches that change the plan."""

    prune: bool = False
    adopt: bool = False
    force: bool = False
    disable_provenance: bool = False
    refresh: Refresh = Refresh.FULL

    @property
    def provenance(self) -> str:
        """The provenance alerting objects are written with."""
        return "" if self.disable_provenance else "api"


@dataclass(frozen=True)
class Change:
    """One planned step; `before` is the current body when the list call returned it."""

    kind: Kind
    key: str
    action: Action
    desired: Desired | None = None
    before: Any = None
    reason: str = ""

    @property
    def drifted(self) -> bool:
        """True for an update that restores an object edited in Grafana."""
        return self.action is Action.UPDATE and self.reason.startswith(DRIFTED)

    @property
    def file(self) -> str:
        """The generated file behind this change, if any."""
        return self.desired.file if self.desired else ""


@dataclass
class Plan:
    """Every change, in execution order, the ledger read from Grafana, and notes for the user
    (e.g. that the ledger was missing and ownership was rebuilt)."""

    changes: list[Change] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many changes there are per action, and how many updates restore drift."""
        out = {a.value: 0 for a in Action}
        for change in self.changes:
            out[change.action.value] += 1
        out["drifted"] = sum(1 for c in self.changes if c.drifted)
        return out

    def writes(self) -> list[Change]:
        """The changes that need a request, creates/updates first, then deletes in reverse."""
        ups = [c for c in self.changes if c.action in (Action.CREATE, Action.UPDATE)]
        downs = [c for c in self.changes if c.action is Action.DELETE]
        ups.sort(key=lambda c: KIND_ORDER.index(c.kind))
        downs.sort(key=lambda c: -KIND_ORDER.index(c.kind))
        return ups + downs


def decide(d: Desired, before: Any, options: Options, *, owned: bool, same: bool,
           recorded: str | None, note: str = "") -> Change:
    """The change for an object that exists in Grafana.

    `owned`: the ledger or a marker says it is slogen's; `same`: what Grafana holds equals the
    desired body (full refresh) or its marker hash equals the desired hash (markers);
    `recorded`: the hash slogen last wrote, from the ledger. An owned object that differs
    although the specs did not change since slogen wrote it was edited in Grafana: drifted.
    """
    if not owned and same and not options.force:
        owned = True  # identical to the specs: taking it over changes nothing
    if not owned and not options.adopt:
        return Change(d.kind, d.key, Action.BLOCKED, d, before, note or (
            "exists and is not managed by slogen (use --adopt to take it over)"))
    if same and not options.force:
        return Change(d.kind, d.key, Action.UNCHANGED, d, before)
    reason = ""
    if not same and recorded == d.hash and options.refresh is Refresh.FULL:
        reason = DRIFTED
    return Change(d.kind, d.key, Action.UPDATE, d, before, reason)
