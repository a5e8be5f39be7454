"""Emulated /api/folders and /api/datasources, with Grafana's status codes and messages."""

from __future__ import annotations

import copy
from typing import Any

from tests.grafana_emulator.store import (
    HttpError,
    Reply,
    Request,
    State,
    check_uid,
    new_uid,
    require_object,
    slug,
)


def _folder_view(folder: dict[str, Any]) -> dict[str, Any]:
    """A Folder as Grafana answers it: the description it accepted is never sent back."""
    shown = {k: v for k, v in folder.items() if k != "description"}
    return {**shown, "orgId": 1, "url": f"/dashboards/f/{folder['uid']}/{slug(folder['title'])}",
            "hasAcl": False, "canSave": True, "canEdit": True, "canAdmin": True,
            "canDelete": True}


def _get_folder(state: State, uid: str) -> dict[str, Any]:
    if uid not in state.folders:
        raise HttpError(404, "folder not found", status="not-found")
    return state.folders[uid]


def list_folders(state: State, req: Request) -> Reply:
    """GET /api/folders: id, uid and title only, paged."""
    limit, page = int(req.arg("limit", "1000")), int(req.arg("page", "1"))
    rows = [{"id": f["id"], "uid": f["uid"], "title": f["title"]}
            for f in sorted(state.folders.values(), key=lambda f: f["title"])]
    return 200, rows[(page - 1) * limit: page * limit]


def get_folder(state: State, req: Request, uid: str) -> Reply:
    """GET /api/folders/{uid}."""
    return 200, _folder_view(_get_folder(state, uid))


def _check_title(state: State, title: Any, uid: str) -> str:
    if not isinstance(title, str) or not title.strip():
        raise HttpError(400, "folder title cannot be empty")
    if any(f["title"] == title and f["uid"] != uid for f in state.folders.values()):
        raise HttpError(409, "a folder with the same name already exists in the current location")
    return title


def create_folder(state: State, req: Request) -> Reply:
    """POST /api/folders: 409 when the uid or the title is taken."""
    body = require_object(req.body)
    uid = check_uid(body.get("uid") or new_uid())
    if uid in state.folders:
        raise HttpError(409, "a folder with the same uid already exists")
    title = _check_title(state, body.get("title"), uid)
    state.folders[uid] = {"id": state.next_id(), "uid": uid, "title": title, "version": 1,
                          "description": body.get("description", "")}
    return 200, _folder_view(state.folders[uid])


def update_folder(state: State, req: Request, uid: str) -> Reply:
    """PUT /api/folders/{uid}: 412 on a stale version unless overwrite."""
    body = require_object(req.body)
    folder = _get_folder(state, uid)
    if not body.get("overwrite") and body.get("version") != folder["version"]:
        raise HttpError(412, "the folder has been changed by someone else",
                        status="version-mismatch")
    if "title" in body:
        folder["title"] = _check_title(state, body["title"], uid)
    if "description" in body:
        folder["description"] = body["description"]
    folder["version"] += 1
    return 200, _folder_view(folder)


def delete_folder(state: State, req: Request, uid: str) -> Reply:
    """DELETE /api/folders/{uid}: takes its dashboards along; refuses if it holds rules."""
    folder = _get_folder(state, uid)
    holds_rules = any(r["folderUID"] == uid for r in state.rules.values())
    if holds_rules and req.arg("forceDeleteRules", "false") != "true":
        raise HttpError(400, "folder cannot be deleted: folder contains alert rules")
    for dash_uid in [u for u, d in state.dashboards.items() if d["folderUid"] == uid]:
        del state.dashboards[dash_uid]
    for rule_uid in [u for u, r in state.rules.items() if r["folderUID"] == uid]:
        del state.rules[rule_uid]
    del state.folders[uid]
    return 200, {"message": "Folder deleted", "id": folder["id"], "title": folder["title"]}


# --- datasources ---------------------------------------------------------------------------

def _ds_view(ds: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in ds.items() if k != "secureJsonData"}
    view["secureJsonFields"] = {k: True for k in ds.get("secureJsonData", {})}
    return copy.deepcopy(view)


def _get_ds(state: State, uid: str) -> dict[str, Any]:
    if uid not in state.datasources:
        raise HttpError(404, "Data source not found")
    return state.datasources[uid]


LIST_FIELDS = ("id", "uid", "orgId", "name", "type", "typeName", "typeLogoUrl", "access", "url",
               "user", "database", "basicAuth", "isDefault", "jsonData", "readOnly")


def list_datasources(state: State, req: Request) -> Reply:
    """GET /api/datasources: list items carry no version, secrets or secret field names."""
    return 200, [{k: copy.deepcopy(d[k]) for k in LIST_FIELDS if k in d}
                 for d in sorted(state.datasources.values(), key=lambda d: d["name"])]


def get_datasource(state: State, req: Request, uid: str) -> Reply:
    """GET /api/datasources/uid/{uid}."""
    return 200, _ds_view(_get_ds(state, uid))


def _ds_fields(state: State, body: dict[str, Any], uid: str) -> dict[str, Any]:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise HttpError(400, "Required field name missing")
    if not body.get("type"):
        raise HttpError(400, "Required field type missing")
    if any(d["name"] == name and d["uid"] != uid for d in state.datasources.values()):
        raise HttpError(409, "data source with the same name already exists")
    keep = ("name", "type", "access", "url", "user", "database", "basicAuth", "basicAuthUser",
            "withCredentials", "isDefault", "jsonData", "secureJsonData")
    return {k: copy.deepcopy(body[k]) for k in keep if k in body}


def create_datasource(state: State, req: Request) -> Reply:
    """POST /api/datasources: 409 on a taken name or uid."""
    body = require_object(req.body)
    uid = check_uid(body.get("uid") or new_uid())
    if uid in state.datasources:
        raise HttpError(409, "data source with the same uid already exists")
    fields = _ds_fields(state, body, uid)
    ds = {"id": state.next_id(), "uid": uid, "orgId": 1, "access": "proxy", "jsonData": {},
          "readOnly": False, "version": 1, **fields}
    state.datasources[uid] = ds
    return 200, {"id": ds["id"], "name": ds["name"], "message": "Datasource added",
                 "datasource": _ds_view(ds)}


def update_datasource(state: State, req: Request, uid: str) -> Reply:
    """PUT /api/datasources/uid/{uid}: whole replacement; 409 on a stale version."""
    body = require_object(req.body)
    ds = _get_ds(state, uid)
    if ds.get("readOnly"):
        raise HttpError(403, "Cannot update read-only data source")
    if "version" in body and body["version"] != ds["version"]:
        raise HttpError(409, "Datasource has already been updated by someone else. "
                             "Please reload and try again")
    fields = _ds_fields(state, body, uid)
    secrets = {**ds.get("secureJsonData", {}), **fields.pop("secureJsonData", {})}
    state.datasources[uid] = {"id": ds["id"], "uid": uid, "orgId": 1, "access": "proxy",
                              "jsonData": {}, "readOnly": False, "version": ds["version"] + 1,
                              **fields, "secureJsonData": secrets}
    new = state.datasources[uid]
    return 200, {"id": new["id"], "name": new["name"], "message": "Datasource updated",
                 "datasource": _ds_view(new)}


def delete_datasource(state: State, req: Request, uid: str) -> Reply:
    """DELETE /api/datasources/uid/{uid}."""
    _get_ds(state, uid)
    del state.datasources[uid]
    return 200, {"message": "Data source deleted"}
