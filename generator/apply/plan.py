"""Compare desired objects with what Grafana holds: create, update, drifted, unchanged, delete.

Ownership comes from the ledger (every object slogen wrote, see `ledger.py`), or from the
markers Grafana returns (dashboard tag, rule label, datasource jsonData), or from the object
being identical to the specs. Equality depends on `Options.refresh`:

- full (default): every object's content is read and compared with the desired body, so an
  edit made in the Grafana UI shows as `drifted (edited in Grafana)` and is restored. Bulk
  reads where Grafana has them (folders, datasources, all alert rules, the rule export for
  group intervals, templates, contact points, mute timings, the policy tree); dashboards are
  read one by one, in parallel (`state.READERS`).
- markers: hashes carried by the objects (dashboard tags, datasource jsonData) or recorded in
  the ledger decide, from five list calls; blind to edits made in the Grafana UI.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator.apply import drift, state
from generator.apply.changes import Action, Change, Options, Plan, decide
from generator.apply.client import HttpClient
from generator.apply.context import Ctx
from generator.apply.desired import (
    DATASOURCE_HASH_KEY,
    HASH_TAG_PREFIX,
    MANAGED_TAG,
    RULE_LABEL,
    RULE_LABEL_VALUE,
    Desired,
    Kind,
)
from generator.apply.ledger import LEDGER_NAME
from generator.apply.plan_notify import plan_notifications, provenance_change

__all__ = ["Action", "Change", "Options", "Plan", "build_plan", "keys",
           "with_dashboard_details"]

LEDGER_MISSING = (f"slogen's ledger (notification template {LEDGER_NAME}) is missing, but "
                  "slogen's markers are: ownership was rebuilt from dashboard tags, rule labels, "
                  "datasource markers and objects identical to the specs; objects that differ "
                  "cannot be proven slogen's and are blocked (use --adopt to take them over)")


def build_plan(client: HttpClient, desired: list[Desired], options: Options) -> Plan:
    """Read the current state of every kind that needs it and plan each object."""
    by_kind: dict[Kind, list[Desired]] = {k: [] for k in Kind}
    for item in desired:
        by_kind[item.kind].append(item)
    plan = Plan()

    def wanted(kind: Kind) -> bool:
        return bool(by_kind[kind]) or options.prune

    templates, ledger = state.templates(client)
    plan.ledger = ledger
    ctx = Ctx(client, options, ledger)
    folders = state.folders(client) if wanted(Kind.FOLDER) or wanted(Kind.RULE_GROUP) else {}
    rules = state.rule_groups(client) if wanted(Kind.RULE_GROUP) or wanted(Kind.FOLDER) else {}
    dashboards, hits = _read_dashboards(ctx, by_kind[Kind.DASHBOARD])
    datasources = state.datasources(client) if wanted(Kind.DATASOURCE) else {}
    # Folders holding objects with slogen's markers: evidence that slogen made them.
    evidence = {r["folderUID"] for group in rules.values() for r in group if _managed(r)}
    evidence |= {h.get("folderUid", "") for h in hits.values()}
    evidence |= {d.get("meta", {}).get("folderUid", "") for d in dashboards.values()
                 if MANAGED_TAG in d["dashboard"].get("tags", [])}
    if not ledger.present and (evidence or any(_ds_hash(d) for d in datasources.values())):
        ctx.lost = True
        plan.notes.append(LEDGER_MISSING)
    if wanted(Kind.FOLDER):
        plan.changes += _folders(ctx, folders, by_kind[Kind.FOLDER], evidence - {""})
    if wanted(Kind.DATASOURCE):
        plan.changes += _datasources(ctx, datasources, by_kind[Kind.DATASOURCE])
    if any(wanted(k) for k in (Kind.TEMPLATE, Kind.MUTE_TIMING, Kind.CONTACT_POINT,
                               Kind.POLICY)):
        plan.changes += plan_notifications(ctx, templates, by_kind)
    if wanted(Kind.DASHBOARD):
        plan.changes += _dashboards(ctx, dashboards, hits, by_kind[Kind.DASHBOARD])
    if wanted(Kind.RULE_GROUP):
        intervals = (state.rule_group_intervals(client, {u: f["title"] for u, f in
                                                         folders.items()})
                     if ctx.full and rules and by_kind[Kind.RULE_GROUP] else {})
        plan.changes += _rule_groups(ctx, rules, intervals, by_kind[Kind.RULE_GROUP])
    return plan


def _read_dashboards(ctx: Ctx, desired: list[Desired]
                     ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Full: each declared dashboard (and, to prune, the tagged ones); markers: the tag search."""
    hits: dict[str, dict[str, Any]] = {}
    if (not ctx.full and desired) or ctx.options.prune:
        hits = state.managed_dashboards(ctx.client)
    if not ctx.full:
        return {}, hits
    return state.dashboards(ctx.client, [d.key for d in desired]), hits


def _folders(ctx: Ctx, current: dict[str, dict[str, Any]], desired: list[Desired],
             evidence: set[str]) -> list[Change]:
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
        view = drift.current_view(d, now)
        owned = ctx.ledger.owns(d.kind, d.key) or d.key in evidence
        changes.append(decide(d, view, ctx.options, owned=owned, same=drift.same(d, view),
                              recorded=ctx.ledger.hash(d.kind, d.key), note=ctx.unowned()))
    if ctx.options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.FOLDER, uid, Action.DELETE, before=current[uid])
                    for uid in ctx.ledger.keys(Kind.FOLDER)
                    if uid in current and uid not in declared]
    return changes


def _datasources(ctx: Ctx, current: dict[str, dict[str, Any]],
                 desired: list[Desired]) -> list[Change]:
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
        marker = _ds_hash(now)
        view = drift.current_view(d, now)
        same = drift.same(d, view) if ctx.full else marker == d.hash
        changes.append(decide(d, view, ctx.options, same=same,
                              owned=marker is not None or ctx.ledger.owns(d.kind, d.key),
                              recorded=marker or ctx.ledger.hash(d.kind, d.key),
                              note=ctx.unowned()))
    if ctx.options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.DATASOURCE, uid, Action.DELETE, before=now)
                    for uid, now in sorted(current.items())
                    if uid not in declared and (_ds_hash(now) is not None
                                                or ctx.ledger.owns(Kind.DATASOURCE, uid))]
    return changes


def _ds_hash(now: dict[str, Any]) -> str | None:
    value = (now.get("jsonData") or {}).get(DATASOURCE_HASH_KEY)
    return str(value) if value is not None else None


def _dashboards(ctx: Ctx, current: dict[str, dict[str, Any]], hits: dict[str, dict[str, Any]],
                desired: list[Desired]) -> list[Change]:
    changes = []
    for d in desired:
        if ctx.full:
            now = current.get(d.key)
            if now is None:
                changes.append(Change(d.kind, d.key, Action.CREATE, d))
                continue
            tags = now["dashboard"].get("tags", [])
            view = drift.current_view(d, now)
            changes.append(decide(
                d, view, ctx.options, same=drift.same(d, view),
                owned=MANAGED_TAG in tags or ctx.ledger.owns(d.kind, d.key),
                recorded=_tag_hash(tags, d), note=ctx.unowned()))
            continue
        hit = hits.get(d.key)
        if hit is None:  # an unmarked dashboard with this uid is found (412) when writing
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        marker = _tag_hash(hit.get("tags", []), d)
        same = marker is not None and f"{marker}|{hit.get('folderUid') or ''}" == (
            f"{d.hash}|{d.body.get('folderUid') or ''}")
        changes.append(decide(d, None, ctx.options, owned=True, same=same, recorded=marker))
    if ctx.options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.DASHBOARD, uid, Action.DELETE, before=hit)
                    for uid, hit in sorted(hits.items()) if uid not in declared]
    return changes


def _tag_hash(tags: Iterable[str], d: Desired) -> str | None:
    """The hash slogen wrote, from the dashboard's hash tag, in the form of `d.hash`."""
    found = [t.removeprefix(HASH_TAG_PREFIX) for t in tags if t.startswith(HASH_TAG_PREFIX)]
    if not found:
        return None
    folder = d.body.get("folderUid")
    return f"{found[0]}@{folder}" if folder else found[0]


def _rule_groups(ctx: Ctx, current: dict[str, list[dict[str, Any]]], intervals: dict[str, int],
                 desired: list[Desired]) -> list[Change]:
    changes = []
    for d in desired:
        rules = current.get(d.key)
        if not rules:
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        owned = all(_managed(r) for r in rules)
        view = drift.current_view(d, rules, intervals.get(d.key))
        recorded = ctx.ledger.hash(d.kind, d.key)
        uids = {r.get("uid") for r in rules} == {r.get("uid") for r in d.body.get("rules", [])}
        same = drift.same(d, view) if ctx.full else uids and recorded == d.hash
        provenances = {r.get("provenance", "") for r in rules}
        switch = provenance_change(d, provenances.pop() if len(provenances) == 1 else "mixed",
                                   ctx.options)
        if switch is not None and (switch.action is Action.BLOCKED or (owned and same)):
            changes.append(switch)
            continue
        changes.append(decide(d, view, ctx.options, owned=owned, same=same, recorded=recorded,
                              note=ctx.unowned("holds alert rules not managed by slogen")))
    if ctx.options.prune:
        declared = {d.key for d in desired}
        changes += [Change(Kind.RULE_GROUP, key, Action.DELETE, before={"rules": rules})
                    for key, rules in sorted(current.items())
                    if key not in declared and all(_managed(r) for r in rules)]
    return changes


def _managed(rule: dict[str, Any]) -> bool:
    return bool((rule.get("labels") or {}).get(RULE_LABEL) == RULE_LABEL_VALUE)


def with_dashboard_details(client: HttpClient, plan: Plan, limit: int = 50) -> Plan:
    """The plan with the current body of each updated dashboard, for a readable diff.

    Only the markers refresh lacks it (a full refresh has read every dashboard): it costs one
    read per updated dashboard, so only dry runs and verbose runs ask for it.
    """
    changes = []
    for change in plan.changes:
        if (change.kind is Kind.DASHBOARD and change.action is Action.UPDATE
                and change.before is None and change.desired is not None and limit > 0):
            limit -= 1
            now = client.call("GET", f"/api/dashboards/uid/{change.key}", ok_missing=True,
                              what=f"dashboard {change.key}")
            if now:
                before = drift.current_view(change.desired, now)
                change = Change(change.kind, change.key, change.action, change.desired, before,
                                change.reason)
        changes.append(change)
    return Plan(changes, plan.ledger, plan.notes)


def keys(changes: Iterable[Change], action: Action) -> list[str]:
    """`kind key` of every change with `action`, for tests and summaries."""
    return [f"{c.kind} {c.key}" for c in changes if c.action is action]
