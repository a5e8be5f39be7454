"""Compare desired objects with Grafana's current state: create, update, unchanged, delete.

Equality is decided from content hashes carried by the objects themselves (dashboard tags, rule
annotations, datasource jsonData) or by the ledger, so a no-op plan needs only list calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generator.apply import state
from generator.apply.client import HttpClient
from generator.apply.desired import (
    DATASOURCE_HASH_KEY,
    HASH_TAG_PREFIX,
    KIND_ORDER,
    RULE_HASH_ANNOTATION,
    RULE_LABEL,
    RULE_LABEL_VALUE,
    Desired,
    Kind,
)
from generator.apply.ledger import Ledger

DEFAULT_RECEIVER = "grafana-default-email"


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


def build_plan(client: HttpClient, desired: list[Desired], options: Options) -> Plan:
    """Read the current state of every kind that needs it and plan each object."""
    by_kind: dict[Kind, list[Desired]] = {k: [] for k in Kind}
    for item in desired:
        by_kind[item.kind].append(item)
    plan = Plan()

    def wanted(kind: Kind) -> bool:
        return bool(by_kind[kind]) or options.prune

    if wanted(Kind.FOLDER):
        plan.changes += _folders(client, state.folders(client), by_kind[Kind.FOLDER], options)
    if wanted(Kind.DATASOURCE):
        plan.changes += _datasources(state.datasources(client), by_kind[Kind.DATASOURCE], options)
    if any(wanted(k) for k in (Kind.TEMPLATE, Kind.CONTACT_POINT, Kind.POLICY)):
        plan.changes += _notifications(client, by_kind, options, plan)
    if wanted(Kind.RULE_GROUP):
        plan.changes += _rule_groups(state.rule_groups(client), by_kind[Kind.RULE_GROUP], options)
    if wanted(Kind.DASHBOARD):
        plan.changes += _dashboards(state.managed_dashboards(client), by_kind[Kind.DASHBOARD],
                                    options)
    return plan


def _folders(client: HttpClient, current: dict[str, dict[str, Any]], desired: list[Desired],
             options: Options) -> list[Change]:
    changes = []
    titles = {f["title"]: uid for uid, f in current.items()}
    for d in desired:
        now = current.get(d.key)
        if now is None:
            other = titles.get(d.body["title"])
            if other is not None:
                changes.append(Change(d.kind, d.key, Action.BLOCKED, d, reason=(
                    f"folder title {d.body['title']!r} is already used by folder {other!r}")))
            else:
                changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        same = now.get("title") == d.body["title"] and not options.force
        changes.append(Change(d.kind, d.key, Action.UNCHANGED if same else Action.UPDATE, d,
                              # The list has no description: show only the title as changing.
                              before={**d.body, "title": now.get("title")}))
    if options.prune:
        # Folder lists carry no description: ownership costs one read per undeclared folder,
        # paid only when pruning.
        declared = {d.key for d in desired}
        changes += [Change(Kind.FOLDER, uid, Action.DELETE, before=f)
                    for uid, f in sorted(current.items())
                    if uid not in declared and state.folder_owned(client, uid)]
    return changes


def _datasources(current: dict[str, dict[str, Any]], desired: list[Desired],
                 options: Options) -> list[Change]:
    changes = []
    names = {d["name"]: uid for uid, d in current.items()}
    for d in desired:
        now = current.get(d.key)
        if now is None:
            other = names.get(d.body.get("name", ""))
            action = Action.BLOCKED if other is not None else Action.CREATE
            reason = f"datasource name {d.body.get('name')!r} is used by {other!r}" if other else ""
            changes.append(Change(d.kind, d.key, action, d, reason=reason))
            continue
        changes.append(_owned_change(d, now, _ds_hash(now), options))
    if options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.DATASOURCE, uid, Action.DELETE, before=now)
                    for uid, now in sorted(current.items())
                    if uid not in declared and _ds_hash(now) is not None]
    return changes


def _ds_hash(now: dict[str, Any]) -> str | None:
    value = (now.get("jsonData") or {}).get(DATASOURCE_HASH_KEY)
    return str(value) if value is not None else None


def _owned_change(d: Desired, before: Any, current_hash: str | None, options: Options,
                  owned: bool | None = None) -> Change:
    """Unchanged when hashes match, update when slogen owns it (or --adopt), else blocked."""
    owned = current_hash is not None if owned is None else owned
    if current_hash == d.hash and owned and not options.force:
        return Change(d.kind, d.key, Action.UNCHANGED, d, before)
    if owned or options.adopt:
        return Change(d.kind, d.key, Action.UPDATE, d, before)
    return Change(d.kind, d.key, Action.BLOCKED, d, before,
                  "exists and is not managed by slogen (use --adopt to take it over)")


def _dashboards(hits: dict[str, dict[str, Any]], desired: list[Desired],
                options: Options) -> list[Change]:
    changes = []
    for d in desired:
        hit = hits.get(d.key)
        if hit is None:
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        changes.append(_owned_change(d, None, _hit_hash(hit), options))
    if options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.DASHBOARD, uid, Action.DELETE, before=hit)
                    for uid, hit in sorted(hits.items()) if uid not in declared]
    return changes


def _hit_hash(hit: dict[str, Any]) -> str:
    tags = [t for t in hit.get("tags", []) if t.startswith(HASH_TAG_PREFIX)]
    digest = tags[0].removeprefix(HASH_TAG_PREFIX) if tags else "?"
    folder = hit.get("folderUid") or ""
    return f"{digest}@{folder}" if folder else digest


def _rule_groups(current: dict[str, list[dict[str, Any]]], desired: list[Desired],
                 options: Options) -> list[Change]:
    changes = []
    provenance = "" if options.disable_provenance else "api"
    for d in desired:
        rules = current.get(d.key)
        if not rules:
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        owned = all(_managed_rule(r) for r in rules)
        want = {r.get("uid") for r in d.body.get("rules", [])}
        same = ({r.get("uid") for r in rules} == want
                and all(r.get("annotations", {}).get(RULE_HASH_ANNOTATION) == d.hash
                        for r in rules)
                and (provenance == "api" or all(r.get("provenance", "") == "" for r in rules)))
        changes.append(_owned_change(d, {"rules": rules}, d.hash if same else "changed",
                                     options, owned))
    if options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.RULE_GROUP, key, Action.DELETE, before={"rules": rules})
                    for key, rules in sorted(current.items())
                    if key not in declared and all(_managed_rule(r) for r in rules)]
    return changes


def _managed_rule(rule: dict[str, Any]) -> bool:
    return bool((rule.get("labels") or {}).get(RULE_LABEL) == RULE_LABEL_VALUE)


def _notifications(client: HttpClient, by_kind: dict[Kind, list[Desired]], options: Options,
                   plan: Plan) -> list[Change]:
    texts, ledger = state.templates(client)
    plan.ledger = ledger
    changes = _templates(texts, ledger, by_kind[Kind.TEMPLATE], options)
    points, mutes = by_kind[Kind.CONTACT_POINT], by_kind[Kind.MUTE_TIMING]
    policy = by_kind[Kind.POLICY]
    settled = (not options.force and not options.prune
               and ledger.contact_points == {d.key: d.hash for d in points}
               and ledger.mute_timings == {d.key: d.hash for d in mutes}
               and (not policy or ledger.policies == policy[0].hash))
    if settled:
        # The ledger says Grafana already holds exactly these: no need to read them.
        return changes + [Change(d.kind, d.key, Action.UNCHANGED, d)
                          for d in mutes + points + policy]
    if mutes or options.prune:
        changes += _ledger_kind(Kind.MUTE_TIMING, state.mute_timings(client),
                                ledger.mute_timings, mutes, options)
    if points or options.prune:
        changes += _ledger_kind(Kind.CONTACT_POINT, state.contact_points(client),
                                ledger.contact_points, points, options)
    if policy or (options.prune and ledger.policies):
        changes += _policies(client, ledger, policy, options)
    return changes


def _templates(texts: dict[str, str], ledger: Ledger, desired: list[Desired],
               options: Options) -> list[Change]:
    changes = []
    for d in desired:
        now = texts.get(d.key)
        if now is None:
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
        elif now == d.body.get("template") and not options.force:
            changes.append(Change(d.kind, d.key, Action.UNCHANGED, d, {"template": now}))
        else:
            changes.append(_owned_change(d, {"template": now}, "changed", options,
                                         d.key in ledger.templates))
    if options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.TEMPLATE, name, Action.DELETE, before={"template": texts[name]})
                    for name in sorted(ledger.templates) if name in texts and name not in declared]
    return changes


def _ledger_kind(kind: Kind, current: dict[str, dict[str, Any]], owned: dict[str, str],
                 desired: list[Desired], options: Options) -> list[Change]:
    """Contact points or mute timings: owned and equal when the ledger says so."""
    changes = []
    for d in desired:
        now = current.get(d.key)
        if now is None:
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        changes.append(_owned_change(d, now, owned.get(d.key), options, d.key in owned))
    if options.prune:
        declared = {d.key for d in desired}
        changes += [Change(kind, key, Action.DELETE, before=current[key])
                    for key in sorted(owned) if key in current and key not in declared]
    return changes


def _policies(client: HttpClient, ledger: Ledger, desired: list[Desired],
              options: Options) -> list[Change]:
    tree = state.policies(client)
    owned = ledger.policies is not None or _is_default_tree(tree)
    if not desired:
        return [Change(Kind.POLICY, "policies", Action.DELETE, before=tree)] if owned else []
    return [_owned_change(desired[0], tree, ledger.policies, options, owned)]


def _is_default_tree(tree: dict[str, Any]) -> bool:
    """A fresh Grafana's tree: taking it over damages nothing anyone wrote."""
    return not tree.get("routes") and tree.get("receiver") in (None, "", DEFAULT_RECEIVER)


def with_dashboard_details(client: HttpClient, plan: Plan, limit: int = 50) -> Plan:
    """The plan with the current body of each updated dashboard, for a readable diff.

    Costs one read per updated dashboard, so only dry runs and verbose runs ask for it.
    """
    changes = []
    for change in plan.changes:
        if (change.kind is Kind.DASHBOARD and change.action is Action.UPDATE
                and change.before is None and limit > 0):
            limit -= 1
            now = client.call("GET", f"/api/dashboards/uid/{change.key}", ok_missing=True,
                              what=f"dashboard {change.key}")
            if now:
                before = {"dashboard": now["dashboard"],
                          "folderUid": now.get("meta", {}).get("folderUid", "")}
                change = Change(change.kind, change.key, change.action, change.desired, before)
        changes.append(change)
    return Plan(changes, plan.ledger)


def keys(changes: Iterable[Change], action: Action) -> list[str]:
    """`kind key` of every change with `action`, for tests and summaries."""
    return [f"{c.kind} {c.key}" for c in changes if c.action is action]
