"""Plan notification objects (templates, mute timings, contact points, the policy tree), and
provenance switches for every alerting kind.

These objects carry no markers, so ownership is the ledger's (or identity with the specs). With
the markers refresh, a kind whose ledger hashes all match the desired objects is not read.
"""

from __future__ import annotations

from typing import Any

from generator.apply import drift, state
from generator.apply.changes import Action, Change, Options, decide
from generator.apply.context import Ctx
from generator.apply.desired import Desired, Kind

DEFAULT_RECEIVER = "grafana-default-email"
LOCKED_KINDS = "contact points, mute timings, notification templates and the policy tree"
LOCKED = (f"provenance 'api' -> none refused: Grafana keeps {LOCKED_KINDS} locked once written "
          f"with provenance 'api' (only alert rules can be unlocked); delete it in Grafana "
          f"to recreate it editable, or leave disable_provenance off")
FILE_LOCKED = "provisioned from a file: Grafana refuses API changes (provenance 'file')"


def provenance_change(d: Desired, current: str | None, options: Options) -> Change | None:
    """An update or a refusal when the object's provenance is not the one wanted; else None.

    Grafana lets any object go from none to 'api', and alert rules from 'api' to none; every
    other change it refuses (403, or 409 for objects provisioned from files).
    """
    want = options.provenance
    if current is None or current == want:
        return None
    if current == "file":
        return Change(d.kind, d.key, Action.BLOCKED, d, reason=FILE_LOCKED)
    if current == "" or d.kind is Kind.RULE_GROUP:
        return Change(d.kind, d.key, Action.UPDATE, d,
                      reason=f"provenance {current or 'none'!r} -> {want or 'none'!r}")
    return Change(d.kind, d.key, Action.BLOCKED, d, reason=LOCKED)


def plan_notifications(ctx: Ctx, templates: dict[str, dict[str, Any]],
                       by_kind: dict[Kind, list[Desired]]) -> list[Change]:
    """Changes for templates, mute timings, contact points and the policy tree."""
    options, ledger = ctx.options, ctx.ledger
    changes = _kind(ctx, Kind.TEMPLATE, templates, by_kind[Kind.TEMPLATE])
    for kind, read in ((Kind.MUTE_TIMING, state.mute_timings),
                       (Kind.CONTACT_POINT, state.contact_points)):
        wanted = by_kind[kind]
        if _settled(ctx, wanted) and not (options.prune and set(ledger.keys(kind)) - {
                d.key for d in wanted}):
            changes += [Change(d.kind, d.key, Action.UNCHANGED, d) for d in wanted]
        elif wanted or (options.prune and ledger.keys(kind)):
            changes += _kind(ctx, kind, read(ctx.client), wanted)
    changes += _policies(ctx, by_kind[Kind.POLICY])
    return changes


def _settled(ctx: Ctx, desired: list[Desired]) -> bool:
    """Markers refresh: the ledger says Grafana holds exactly these (no need to read them)."""
    return (not ctx.full and not ctx.options.force
            and all(ctx.ledger.hash(d.kind, d.key) == d.hash
                    and ctx.ledger.provenance(d.kind, d.key) in (None, ctx.options.provenance)
                    for d in desired))


def _kind(ctx: Ctx, kind: Kind, current: dict[str, dict[str, Any]],
          desired: list[Desired]) -> list[Change]:
    """Templates, contact points or mute timings: owned when the ledger lists them."""
    changes = []
    for d in desired:
        now = current.get(d.key)
        if now is None:
            changes.append(Change(d.kind, d.key, Action.CREATE, d))
            continue
        changes.append(_existing(ctx, d, now))
    if ctx.options.prune:
        declared = {d.key for d in desired}
        changes += [Change(kind, key, Action.DELETE, before=current[key])
                    for key in ctx.ledger.keys(kind) if key in current and key not in declared]
    return changes


def _existing(ctx: Ctx, d: Desired, now: dict[str, Any]) -> Change:
    view = drift.current_view(d, now)
    recorded = ctx.ledger.hash(d.kind, d.key)
    owned = ctx.ledger.owns(d.kind, d.key)
    # Templates come back whole with the list; the rest only the full refresh compares.
    compare = ctx.full or d.kind is Kind.TEMPLATE
    same = drift.same(d, view) if compare else recorded == d.hash
    # Mute timings are answered without provenance: the ledger says how slogen wrote them.
    current = now.get("provenance") if "provenance" in now else ctx.ledger.provenance(
        d.kind, d.key)
    switch = provenance_change(d, current, ctx.options)
    if switch is not None and (switch.action is Action.BLOCKED or ((owned or same) and same)):
        return Change(switch.kind, switch.key, switch.action, d, view, switch.reason)
    return decide(d, view, ctx.options, owned=owned, same=same, recorded=recorded,
                  note=ctx.unowned())


def _policies(ctx: Ctx, desired: list[Desired]) -> list[Change]:
    ledger = ctx.ledger
    if not desired and not (ctx.options.prune and ledger.owns(Kind.POLICY, "policies")):
        return []
    if desired and _settled(ctx, desired):
        return [Change(desired[0].kind, desired[0].key, Action.UNCHANGED, desired[0])]
    tree = state.policies(ctx.client)
    owned = ledger.owns(Kind.POLICY, "policies") or _is_default_tree(tree)
    if not desired:
        return [Change(Kind.POLICY, "policies", Action.DELETE, before=tree)] if owned else []
    return [_existing_policy(ctx, desired[0], tree, owned)]


def _existing_policy(ctx: Ctx, d: Desired, tree: dict[str, Any], owned: bool) -> Change:
    view = drift.current_view(d, tree)
    recorded = ctx.ledger.hash(d.kind, d.key)
    same = drift.same(d, view) if ctx.full else recorded == d.hash
    switch = provenance_change(d, tree.get("provenance", ""), ctx.options)
    if switch is not None and _is_default_tree(tree):
        switch = None  # Grafana's own default tree: replacing it is not a provenance change
    if switch is not None and (switch.action is Action.BLOCKED or (owned and same)):
        return Change(switch.kind, switch.key, switch.action, d, view, switch.reason)
    return decide(d, view, ctx.options, owned=owned, same=same, recorded=recorded,
                  note=ctx.unowned("a notification policy tree exists that slogen did not "
                                   "write"))


def _is_default_tree(tree: dict[str, Any]) -> bool:
    """A fresh Grafana's tree: taking it over damages nothing anyone wrote."""
    return not tree.get("routes") and tree.get("receiver") in (None, "", DEFAULT_RECEIVER)
