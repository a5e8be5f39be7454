"""Grafana contact points, notification policy tree and mute timings, from the same routing.

Written twice: as HTTP API bodies under `grafana/api/` (secrets as `${file:PATH}`, which apply
substitutes) and as file provisioning under `grafana/provisioning/alerting/` (secrets as
Grafana's own `$__file{PATH}`). Grafana's Alertmanager has no inhibition rules, so those exist
only in the Alertmanager config. Its policy API has no active time intervals either, so an
`active_during` interval becomes a mute timing covering the rest of the week.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from generator.core import naming
from generator.core.durations import format_duration
from generator.core.model import Model, Receiver, Route, RouteTree
from generator.core.timeintervals import complement, interval_items
from generator.targets.dump import json_text, sort_keys, yaml_text

API = PurePath("grafana") / "api"
PROVISIONING = PurePath("grafana") / "provisioning" / "alerting"
ORG_ID = 1

Secret = Callable[[str], str]


def render(model: Model) -> dict[PurePath, str]:
    """Contact points, policies and mute timings for the API and for file provisioning."""
    tree = model.route_tree
    file_points = ([contact_point(r, _file_secret, _escape) for r in model.receivers]
                   if tree is not None else [])
    # The file provisioner only adds: contact points the specs dropped are deleted by uid.
    retired = sorted(model.previous.contact_point_uids - {p["uid"] for p in file_points})
    deletions = {"deleteContactPoints": [{"orgId": ORG_ID, "uid": uid} for uid in retired]}
    if tree is None:
        return {PROVISIONING / "contact-points.yaml": yaml_text(
            sort_keys({"apiVersion": 1, **deletions}), [model.global_file])} if retired else {}
    api_points = [contact_point(r, _api_secret, _same) for r in model.receivers]
    mutes = mute_timings(tree)
    sources = [model.global_file] + [s.source_file for s in model.services if s.routing]
    files = {API / "contact-points" / f"{p['uid']}.json": json_text(p) for p in api_points}
    files[API / "policies.json"] = json_text(policy_tree(tree))
    files |= {API / "mute-timings" / f"{m['name']}.json": json_text(m) for m in mutes}
    provisioning = {
        "contact-points.yaml": {"contactPoints": [_grouped(p) for p in file_points],
                                **(deletions if retired else {})},
        "policies.yaml": {"policies": [{"orgId": ORG_ID, **policy_tree(tree)}]},
        "mute-timings.yaml": {"muteTimes": [{"orgId": ORG_ID, **m} for m in mutes]},
    }
    for name, body in provisioning.items():
        if any(body.values()):
            files[PROVISIONING / name] = yaml_text(sort_keys({"apiVersion": 1, **body}), sources)
    return files


def contact_point(receiver: Receiver, secret: Secret,
                  plain: Callable[[str], str]) -> dict[str, Any]:
    """One EmbeddedContactPoint: a receiver's single integration, with a stable uid."""
    kind, settings = _settings(receiver, secret, plain)
    return {
        "uid": naming.contact_point_uid(receiver.name),
        "name": receiver.name,
        "type": kind,
        "settings": settings,
        "disableResolveMessage": not receiver.send_resolved,
    }


def policy_tree(tree: RouteTree) -> dict[str, Any]:
    """The notification policy Route tree, as `PUT /api/v1/provisioning/policies` takes it."""
    return {
        "receiver": tree.receiver,
        "group_by": list(tree.group_by),
        "group_wait": format_duration(tree.group_wait),
        "group_interval": format_duration(tree.group_interval),
        "repeat_interval": format_duration(tree.repeat_interval),
        "routes": [_policy(r) for r in tree.routes],
    }


def mute_timings(tree: RouteTree) -> list[dict[str, Any]]:
    """A mute timing for each `active_during` interval: the rest of the week."""
    used = sorted({r.active_during for r in tree.routes if r.active_during is not None})
    out = []
    for name in used:
        outside = complement(tree.time_intervals[name])
        if outside:
            out.append({"name": naming.mute_timing_name(name),
                        "time_intervals": interval_items(outside)})
    return out


def _policy(route: Route) -> dict[str, Any]:
    node: dict[str, Any] = {
        "receiver": route.receivers[0],
        "object_matchers": [[k, "=", v] for k, v in route.matchers],
        "continue": route.continue_,
    }
    if route.group_by is not None:
        node["group_by"] = list(route.group_by)
    for key in ("group_wait", "group_interval", "repeat_interval"):
        value = getattr(route, key)
        if value is not None:
            node[key] = format_duration(value)
    mute = ([naming.mute_timing_name(route.active_during)]
            if route.active_during is not None else [])
    if len(route.receivers) > 1:
        # Same fan-out as in Alertmanager: matcher-less children, each continuing to the next.
        node["routes"] = [_leaf(r, not_last=i < len(route.receivers) - 1, mute=mute)
                          for i, r in enumerate(route.receivers)]
    elif mute:
        node["mute_time_intervals"] = mute
    return node


def _leaf(receiver: str, not_last: bool, mute: list[str]) -> dict[str, Any]:
    leaf: dict[str, Any] = {"receiver": receiver, "continue": not_last}
    if mute:
        leaf["mute_time_intervals"] = mute
    return leaf


def _settings(r: Receiver, secret: Secret,
              plain: Callable[[str], str]) -> tuple[str, dict[str, Any]]:
    if r.slack is not None:
        s = r.slack
        slack = {"recipient": plain(s.channel), "url": secret(s.api_url_file)}
        slack |= {k: plain(v) for k, v in (("title", s.title), ("text", s.text)) if v is not None}
        return "slack", slack
    if r.pagerduty is not None:
        pd = {"integrationKey": secret(r.pagerduty.routing_key_file)}
        if r.pagerduty.severity is not None:
            pd["severity"] = plain(r.pagerduty.severity)
        return "pagerduty", pd
    if r.email is not None:
        # Grafana sends mail through its own SMTP settings; only the addresses belong here.
        addresses = ";".join(a.strip() for a in r.email.to.split(","))
        return "email", {"addresses": plain(addresses), "singleEmail": False}
    assert r.webhook is not None
    w = r.webhook
    hook: dict[str, Any] = {"url": plain(w.url), "httpMethod": "POST", "maxAlerts": w.max_alerts}
    if w.credentials_file is not None:
        hook |= {"authorization_scheme": "Bearer",
                 "authorization_credentials": secret(w.credentials_file)}
    return "webhook", hook


def _grouped(point: dict[str, Any]) -> dict[str, Any]:
    receiver = {k: point[k] for k in ("uid", "type", "settings", "disableResolveMessage")}
    return {"orgId": ORG_ID, "name": point["name"], "receivers": [receiver]}


def _api_secret(path: str) -> str:
    return "${file:" + path + "}"


def _file_secret(path: str) -> str:
    return "$__file{" + path + "}"


def _same(text: str) -> str:
    return text


def _escape(text: str) -> str:
    # Grafana expands $VAR in provisioning files; a literal dollar is written as $$.
    return text.replace("$", "$$")
