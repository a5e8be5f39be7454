"""Plan notification objects (templates, mute timings, contact points, the policy tree).

Their ownership and hashes live in the ledger, so when it matches the desired objects nothing
but the templates needs to be read.
"""

from __future__ import annotations

from typing import Any

from generator.apply import state
from generator.apply.changes import Action, Change, Options, Plan, owned_change
from generator.apply.client import HttpClient
from generator.apply.desired import Desired, Kind
from generator.apply.ledger import Ledger

DEFAULT_RECEIVER = "grafana-default-email"


def plan_notifications(client: HttpClient, by_kind: dict[Kind, list[Desired]], options: Options,
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
            changes.append(owned_change(d, {"template": now}, "changed", options,
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
        changes.append(owned_change(d, now, owned.get(d.key), options, d.key in owned))
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
    return [owned_change(desired[0], tree, ledger.policies, options, owned)]


def _is_default_tree(tree: dict[str, Any]) -> bool:
    """A fresh Grafana's tree: taking it over damages nothing anyone wrote."""
    return not tree.get("routes") and tree.get("receiver") in (None, "", DEFAULT_RECEIVER)
