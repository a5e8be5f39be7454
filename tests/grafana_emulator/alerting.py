"""Emulated alert rule provisioning (/api/v1/provisioning/...): rules and rule groups."""

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

DURATION = re.compile(r"^(0|([0-9]+(ms|s|m|h|d|w|y))+)$")
SCHEDULER_INTERVAL = 10
EXPR = ("__expr__", "-100")
NO_DATA = ("NoData", "Alerting", "OK")
EXEC_ERR = ("Error", "Alerting", "OK")


def _invalid(message: str) -> HttpError:
    return HttpError(400, f"invalid alert rule: {message}")


def _validate_rule(state: State, rule: dict[str, Any]) -> None:
    if not isinstance(rule.get("title"), str) or not 1 <= len(rule["title"]) <= 190:
        raise _invalid("title is empty or longer than 190 characters")
    data = rule.get("data")
    if not isinstance(data, list) or not data:
        raise _invalid("no queries or expressions are found")
    refs = [q.get("refId") for q in data]
    if rule.get("condition") not in refs:
        raise _invalid(f"condition {rule.get('condition')} does not exist, "
                       f"must be one of [{','.join(map(str, refs))}]")
    for query in data:
        _validate_query(state, query)
    if not isinstance(rule.get("for"), str) or not DURATION.match(rule["for"]):
        raise _invalid(f"invalid duration for 'for': {rule.get('for')!r}")
    if rule.get("noDataState") not in NO_DATA or rule.get("execErrState") not in EXEC_ERR:
        raise _invalid("noDataState or execErrState has an unknown value")
    if rule.get("folderUID") not in state.folders:
        raise _invalid(f"folder {rule.get('folderUID')!r} does not exist")
    _validate_panel_link(state, rule.get("annotations") or {})


def _validate_panel_link(state: State, annotations: dict[str, Any]) -> None:
    """A rule links to a dashboard panel with both annotations, the panel id a number."""
    dashboard, panel = annotations.get("__dashboardUid__"), annotations.get("__panelId__")
    if (dashboard is None) != (panel is None):
        raise _invalid("both annotations __dashboardUid__ and __panelId__ must be specified")
    if panel is not None and not str(panel).isdigit():
        raise _invalid(f"annotation __panelId__ must be a valid number, got {panel!r}")


def _validate_query(state: State, query: dict[str, Any]) -> None:
    ds = query.get("datasourceUid")
    if ds in EXPR:
        return
    if ds not in state.datasources:
        raise _invalid(f"failed to validate query {query.get('refId')}: data source not found")
    span = query.get("relativeTimeRange") or {}
    if span.get("from", 0) <= span.get("to", 0):
        raise HttpError(
            400, f"Invalid alert rule query {query.get('refId')}: invalid relative time range "
                 f"[From: {span.get('from', 0)}s, To: {span.get('to', 0)}s]",
            messageId="alerting.alert-rule.invalidRelativeTime", statusCode=400)


def list_rules(state: State, req: Request) -> Reply:
    """GET /alert-rules: every rule, with server fields."""
    return 200, [copy.deepcopy(r) for _, r in sorted(state.rules.items())]


def get_rule(state: State, req: Request, uid: str) -> Reply:
    """GET /alert-rules/{uid}."""
    if uid not in state.rules:
        raise HttpError(404, "rule not found")
    return 200, copy.deepcopy(state.rules[uid])


def _group_rules(state: State, folder: str, group: str) -> list[dict[str, Any]]:
    return [r for _, r in sorted(state.rules.items())
            if r["folderUID"] == folder and r["ruleGroup"] == group]


def get_group(state: State, req: Request, folder: str, group: str) -> Reply:
    """GET /folder/{uid}/rule-groups/{group}."""
    rules = _group_rules(state, folder, group)
    if not rules:
        raise HttpError(404, "rule group not found under this folder")
    return 200, {"title": group, "folderUid": folder, "rules": copy.deepcopy(rules),
                 "interval": state.group_intervals.get((folder, group), 60)}


def put_group(state: State, req: Request, folder: str, group: str) -> Reply:
    """PUT /folder/{uid}/rule-groups/{group}: replaces the group, rules left out are deleted."""
    body = require_object(req.body)
    interval = body.get("interval")
    if not isinstance(interval, int) or interval <= 0 or interval % SCHEDULER_INTERVAL:
        raise _invalid(f"interval ({interval}s) should be non-zero and divided exactly by "
                       f"scheduler interval: {SCHEDULER_INTERVAL}")
    if folder not in state.folders:
        raise _invalid(f"folder {folder!r} does not exist")
    new_rules = body.get("rules") or []
    old = {r["uid"]: r for r in _group_rules(state, folder, group)}
    stored = [_stored_rule(state, req, rule, folder, group, old) for rule in new_rules]
    for uid in old:
        state.rules.pop(uid, None)
    for rule in stored:
        state.rules[rule["uid"]] = rule
    state.group_intervals[(folder, group)] = interval
    return 200, {"title": group, "folderUid": folder, "interval": interval,
                 "rules": copy.deepcopy(stored)}


def _stored_rule(state: State, req: Request, rule: Any, folder: str, group: str,
                 old: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rule = copy.deepcopy(require_object(rule))
    uid = check_uid(rule.get("uid") or new_uid())
    if rule.get("folderUID", folder) != folder or rule.get("ruleGroup", group) != group:
        raise _invalid("rule folder and group must match the group being saved")
    rule.update({"uid": uid, "folderUID": folder, "ruleGroup": group, "orgID": 1})
    _validate_rule(state, rule)
    before = old.get(uid) or state.rules.get(uid)
    if before and not can_change_provenance(before["provenance"], req.provenance, rules=True):
        if before["provenance"] == "file":
            raise HttpError(409, "cannot change a rule provisioned from a file")
        raise HttpError(403, f"cannot change provenance from '{before['provenance']}' "
                             f"to '{req.provenance}'")
    rule.update({"id": before["id"] if before else state.next_id(),
                 "updated": "2026-01-01T00:00:00Z", "provenance": req.provenance})
    return rule


def delete_group(state: State, req: Request, folder: str, group: str) -> Reply:
    """DELETE /folder/{uid}/rule-groups/{group}."""
    rules = _group_rules(state, folder, group)
    if not rules:
        raise HttpError(404, "rule group not found under this folder")
    for rule in rules:
        del state.rules[rule["uid"]]
    state.group_intervals.pop((folder, group), None)
    return 204, None


EXPORT_RULE_KEYS = ("uid", "title", "condition", "noDataState", "execErrState", "for",
                    "annotations", "labels", "isPaused", "notification_settings")
EXPORT_QUERY_KEYS = ("refId", "queryType", "relativeTimeRange", "datasourceUid", "model")


def _duration(seconds: int) -> str:
    """A group interval as Grafana's export writes it: "1m", "1m30s", "2h"."""
    out = ""
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out or "0s"


def _export_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule in the file format: no folder, group, org or server fields; panel link fields."""
    out = {k: copy.deepcopy(rule[k]) for k in EXPORT_RULE_KEYS if k in rule}
    out["data"] = [{k: copy.deepcopy(q[k]) for k in EXPORT_QUERY_KEYS if k in q}
                   for q in rule.get("data", [])]
    annotations = out.get("annotations") or {}
    if "__dashboardUid__" in annotations:
        out["dashboardUid"] = annotations["__dashboardUid__"]
    if "__panelId__" in annotations:
        out["panelId"] = int(annotations["__panelId__"])
    return out


def export_rules(state: State, req: Request) -> Reply:
    """GET /alert-rules/export: every group in the file-provisioning format (JSON asked for)."""
    if req.arg("format", "yaml") != "json":
        raise HttpError(400, "this emulator only exports JSON (format=json)")
    keys = sorted({(r["folderUID"], r["ruleGroup"]) for r in state.rules.values()})
    groups = [{"orgId": 1, "name": group,
               "folder": state.folders.get(folder, {}).get("title", folder),
               "interval": _duration(state.group_intervals.get((folder, group), 60)),
               "rules": [_export_rule(r) for r in _group_rules(state, folder, group)]}
              for folder, group in keys]
    if not groups:
        raise HttpError(404, "no alert rules found")
    return 200, {"apiVersion": 1, "groups": groups}
