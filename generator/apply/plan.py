"""Compare desired objects with Grafana's current state: create, update, unchanged, delete.

Equality is decided from content hashes carried by the objects themselves (dashboard tags, rule
annotations, datasource jsonData) or by the ledger, so a no-op plan needs only list calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.apply import state
from generator.apply.changes import Action, Change, Options, Plan, owned_change
from generator.apply.client import HttpClient
from generator.apply.desired import (
    DATASOURCE_HASH_KEY,
    HASH_TAG_PREFIX,
    RULE_HASH_ANNOTATION,
    RULE_LABEL,
    RULE_LABEL_VALUE,
    Desired,
    Kind,
)
from generator.apply.plan_notify import plan_notifications

__all__ = ["Action", "Change", "Options", "Plan", "build_plan", "keys",
           "with_dashboard_details"]


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
        plan.changes += plan_notifications(client, by_kind, options, plan)
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
        changes.append(owned_change(d, now, _ds_hash(now), options))
    if options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.DATASOURCE, uid, Action.DELETE, before=now)
                    for uid, now in sorted(current.items())
                    if uid not in declared and _ds_hash(now) is not None]
    return changes


def _ds_hash(now: dict[str, Any]) -> str | None:
    value = (now.get("jsonData") or {}).get(DATASOURCE_HASH_KEY)
    return str(value) if value is not None else None


def _dashboards(hits: dict[str, dict[str, Any]], desired: list[Desired],
                options: Options) -> list[Change]:
    changes = []
    for d in desired:
        hit = hits.get(d.key)
        if hit is None:
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        changes.append(owned_change(d, None, _hit_hash(hit), options))
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
        changes.append(owned_change(d, {"rules": rules}, d.hash if same else "changed",
                                     options, owned))
    if options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.RULE_GROUP, key, Action.DELETE, before={"rules": rules})
                    for key, rules in sorted(current.items())
                    if key not in declared and all(_managed_rule(r) for r in rules)]
    return changes


def _managed_rule(rule: dict[str, Any]) -> bool:
    return bool((rule.get("labels") or {}).get(RULE_LABEL) == RULE_LABEL_VALUE)


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
