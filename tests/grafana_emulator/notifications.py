"""Emulated notification provisioning: contact points, policy tree, templates, mute timings."""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.grafana_emulator.store import (
    HttpError,
    Reply,
    Request,
    State,
    can_change_provenance,
    check_uid,
    new_uid,
    require_object,
)

COMMENT = re.compile(r"\{\{/\*.*?\*/\}\}", re.DOTALL)  # Go template comments may hold braces
# Settings Grafana stores encrypted and shows as [REDACTED].
SECURE_SETTINGS = {"slack": ("url", "token"), "webhook": ("password", "authorization_credentials"),
                   "pagerduty": ("integrationKey",), "opsgenie": ("apiKey",),
                   "telegram": ("bottoken",), "teams": ("url",), "discord": ("url",)}


def _redacted(point: dict[str, Any]) -> dict[str, Any]:
    view = copy.deepcopy(point)
    for key in SECURE_SETTINGS.get(point["type"], ()):
        if key in view["settings"]:
            view["settings"][key] = "[REDACTED]"
    return view


def list_contact_points(state: State, req: Request) -> Reply:
    """GET /contact-points (optionally ?name=), secrets redacted."""
    name = req.arg("name")
    return 200, [_redacted(p) for _, p in sorted(state.contact_points.items())
                 if not name or p["name"] == name]


def _checked_point(body: Any) -> dict[str, Any]:
    body = require_object(body)
    if not body.get("name"):
        raise HttpError(400, "invalid object specification: name must not be empty")
    if body.get("type") not in {*SECURE_SETTINGS, "email", "alertmanager", "googlechat"}:
        raise HttpError(400, f"invalid object specification: unknown type {body.get('type')!r}")
    if not isinstance(body.get("settings"), dict):
        raise HttpError(400, "invalid object specification: settings must be an object")
    return body


def create_contact_point(state: State, req: Request) -> Reply:
    """POST /contact-points: 202."""
    body = _checked_point(req.body)
    uid = check_uid(body.get("uid") or new_uid())
    if uid in state.contact_points:
        raise HttpError(409, f"contact point with uid {uid!r} already exists")
    point = {"uid": uid, "name": body["name"], "type": body["type"],
             "settings": copy.deepcopy(body["settings"]),
             "disableResolveMessage": bool(body.get("disableResolveMessage")),
             "provenance": req.provenance}
    state.contact_points[uid] = point
    return 202, _redacted(point)


def update_contact_point(state: State, req: Request, uid: str) -> Reply:
    """PUT /contact-points/{uid}: 202; provenance may not change."""
    body = _checked_point(req.body)
    old = state.contact_points.get(uid)
    if old is None:
        raise HttpError(404, "contact point not found")
    if not can_change_provenance(old["provenance"], req.provenance, rules=False):
        raise HttpError(403, f"cannot change provenance from '{old['provenance']}' "
                             f"to '{req.provenance}'")
    state.contact_points[uid] = {**old, "name": body["name"], "type": body["type"],
                                 "settings": copy.deepcopy(body["settings"]),
                                 "disableResolveMessage": bool(body.get("disableResolveMessage")),
                                 "provenance": req.provenance}
    return 202, {"message": "contactpoint updated"}


def delete_contact_point(state: State, req: Request, uid: str) -> Reply:
    """DELETE /contact-points/{uid}: 409 while a policy routes to it."""
    point = state.contact_points.get(uid)
    if point is None:
        return 202, {"message": "contactpoint deleted"}
    same_name = [p for p in state.contact_points.values() if p["name"] == point["name"]]
    if len(same_name) == 1 and point["name"] in _receivers(state.policies):
        raise HttpError(409, f"contact point '{point['name']}' is currently used by a "
                             f"notification policy")
    del state.contact_points[uid]
    return 202, {"message": "contactpoint deleted"}


def _receivers(route: dict[str, Any]) -> set[str]:
    found = {route["receiver"]} if route.get("receiver") else set()
    for child in route.get("routes") or []:
        found |= _receivers(child)
    return found


def _mutes(route: dict[str, Any]) -> set[str]:
    found = set(route.get("mute_time_intervals") or [])
    for child in route.get("routes") or []:
        found |= _mutes(child)
    return found


def _mute_view(mute: dict[str, Any]) -> dict[str, Any]:
    """A MuteTimeInterval as answered: the API definitions have no provenance on it."""
    return {"name": mute["name"], "time_intervals": copy.deepcopy(mute["time_intervals"])}


def list_mute_timings(state: State, req: Request) -> Reply:
    """GET /mute-timings."""
    return 200, [_mute_view(m) for _, m in sorted(state.mute_timings.items())]


def _checked_mute(body: Any) -> dict[str, Any]:
    body = require_object(body)
    if not body.get("name"):
        raise HttpError(400, "invalid object specification: name must not be empty")
    if not isinstance(body.get("time_intervals", []), list):
        raise HttpError(400, "invalid object specification: time_intervals must be a list")
    return body


def create_mute_timing(state: State, req: Request) -> Reply:
    """POST /mute-timings: 201; 409 when the name is taken."""
    body = _checked_mute(req.body)
    if body["name"] in state.mute_timings:
        raise HttpError(409, f"mute timing {body['name']!r} already exists")
    intervals = copy.deepcopy(body.get("time_intervals", []))
    state.mute_timings[body["name"]] = {"name": body["name"], "time_intervals": intervals,
                                        "provenance": req.provenance}
    return 201, _mute_view(state.mute_timings[body["name"]])


def update_mute_timing(state: State, req: Request, name: str) -> Reply:
    """PUT /mute-timings/{name}: 202."""
    body = _checked_mute(req.body)
    old = state.mute_timings.get(name)
    if old is None:
        raise HttpError(404, "mute timing not found")
    if not can_change_provenance(old["provenance"], req.provenance, rules=False):
        raise HttpError(403, "cannot change provenance of the mute timing")
    state.mute_timings[name] = {"name": name, "provenance": req.provenance,
                                "time_intervals": copy.deepcopy(body.get("time_intervals", []))}
    return 202, _mute_view(state.mute_timings[name])


def delete_mute_timing(state: State, req: Request, name: str) -> Reply:
    """DELETE /mute-timings/{name}: 409 while a policy uses it."""
    if name in _mutes(state.policies):
        raise HttpError(409, f"mute timing '{name}' is used by a notification policy")
    state.mute_timings.pop(name, None)
    return 204, None


def get_policies(state: State, req: Request) -> Reply:
    """GET /policies."""
    return 200, copy.deepcopy(state.policies)


def put_policies(state: State, req: Request) -> Reply:
    """PUT /policies: replaces the tree; every receiver must exist."""
    tree = require_object(req.body)
    if not tree.get("receiver"):
        raise HttpError(400, "invalid object specification: root route must have a receiver")
    names = {p["name"] for p in state.contact_points.values()}
    missing = sorted(_receivers(tree) - names)
    if missing:
        raise HttpError(400, f"invalid object specification: receiver '{missing[0]}' "
                             f"does not exist")
    unknown = sorted(_mutes(tree) - set(state.mute_timings))
    if unknown:
        raise HttpError(400, f"invalid object specification: mute time interval "
                             f"'{unknown[0]}' does not exist")
    if not can_change_provenance(state.policies.get("provenance", ""), req.provenance, False):
        raise HttpError(403, "cannot change provenance of the notification policy tree")
    state.policies = {**copy.deepcopy(tree), "provenance": req.provenance}
    return 202, {"message": "policies updated"}


def reset_policies(state: State, req: Request) -> Reply:
    """DELETE /policies: back to the default tree."""
    state.reset_policies()
    return 202, {"message": "policies resetted"}


def list_templates(state: State, req: Request) -> Reply:
    """GET /templates."""
    return 200, [copy.deepcopy(t) for _, t in sorted(state.templates.items())]


def get_template(state: State, req: Request, name: str) -> Reply:
    """GET /templates/{name}."""
    if name not in state.templates:
        raise HttpError(404, "template not found")
    return 200, copy.deepcopy(state.templates[name])


def put_template(state: State, req: Request, name: str) -> Reply:
    """PUT /templates/{name}: 202; the text must be a parseable template."""
    body = require_object(req.body)
    text = body.get("template")
    bare = COMMENT.sub("", text) if isinstance(text, str) else ""
    if not isinstance(text, str) or bare.count("{{") != bare.count("}}"):
        raise HttpError(400, "invalid object specification: template is not valid")
    old = state.templates.get(name)
    if old and not can_change_provenance(old["provenance"], req.provenance, rules=False):
        raise HttpError(403, "cannot change provenance of the template")
    state.templates[name] = {"name": name, "template": text, "provenance": req.provenance}
    return 202, copy.deepcopy(state.templates[name])


def delete_template(state: State, req: Request, name: str) -> Reply:
    """DELETE /templates/{name}."""
    state.templates.pop(name, None)
    return 204, None
