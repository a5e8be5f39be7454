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


@dataclass(frozen=True)
class Options:
    """Switches that change the plan."""

    prune: bool = False
    adopt: bool = False
    force: bool = False
    disable_provenance: bool = False


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
    def file(self) -> str:
        """The generated file behind this change, if any."""
        return self.desired.file if self.desired else ""


@dataclass
class Plan:
    """Every change, in execution order, and the ledger read from Grafana."""

    changes: list[Change] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)

    def counts(self) -> dict[str, int]:
        """How many changes there are per action."""
        out = {a.value: 0 for a in Action}
        for change in self.changes:
            out[change.action.value] += 1
        return out

    def writes(self) -> list[Change]:
        """The changes that need a request, creates/updates first, then deletes in reverse."""
        ups = [c for c in self.changes if c.action in (Action.CREATE, Action.UPDATE)]
        downs = [c for c in self.changes if c.action is Action.DELETE]
        ups.sort(key=lambda c: KIND_ORDER.index(c.kind))
        downs.sort(key=lambda c: -KIND_ORDER.index(c.kind))
        return ups + downs


def owned_change(d: Desired, before: Any, current_hash: str | None, options: Options,
                  owned: bool | None = None) -> Change:
    """Unchanged when hashes match, update when slogen owns it (or --adopt), else blocked."""
    owned = current_hash is not None if owned is None else owned
    if current_hash == d.hash and owned and not options.force:
        return Change(d.kind, d.key, Action.UNCHANGED, d, before)
    if owned or options.adopt:
        return Change(d.kind, d.key, Action.UPDATE, d, before)
    return Change(d.kind, d.key, Action.BLOCKED, d, before,
                  "exists and is not managed by slogen (use --adopt to take it over)")
