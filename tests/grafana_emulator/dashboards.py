"""Emulated dashboards (/api/dashboards/db, /uid/{uid}) and /api/search."""

from __future__ import annotations

import copy
from typing import Any

from tests.grafana_emulator.store import HttpError, Reply, Request, State, check_uid, new_uid, slug


def _get(state: State, uid: str) -> dict[str, Any]:
    if uid not in state.dashboards:
        raise HttpError(404, "Dashboard not found")
    return state.dashboards[uid]


def save_dashboard(state: State, req: Request) -> Reply:
    """POST /api/dashboards/db: create, or update by uid with version check unless overwrite."""
    body = req.body if isinstance(req.body, dict) else {}
    model = body.get("dashboard")
    if not isinstance(model, dict):
        raise HttpError(400, "bad request data")
    title = model.get("title")
    if not isinstance(title, str) or not title.strip():
        raise HttpError(400, "Dashboard title cannot be empty", status="empty-name")
    folder = body.get("folderUid") or ""
    if folder and folder not in state.folders:
        raise HttpError(404, "folder not found", status="not-found")
    uid = check_uid(model.get("uid") or new_uid())
    overwrite = bool(body.get("overwrite"))
    existing = state.dashboards.get(uid)
    _check_conflicts(state, existing, model, uid, title, folder, overwrite)
    version = existing["version"] + 1 if existing else 1
    dash_id = existing["id"] if existing else state.next_id()
    stored = copy.deepcopy(model)
    stored.update({"id": dash_id, "uid": uid, "version": version})
    state.dashboards[uid] = {"id": dash_id, "uid": uid, "folderUid": folder, "version": version,
                             "dashboard": stored}
    return 200, {"id": dash_id, "uid": uid, "url": f"/d/{uid}/{slug(title)}", "status": "success",
                 "version": version, "slug": slug(title), "folderUid": folder}


def _check_conflicts(state: State, existing: dict[str, Any] | None, model: dict[str, Any],
                     uid: str, title: str, folder: str, overwrite: bool) -> None:
    if existing and not overwrite:
        sent = model.get("version")
        if sent is None:
            raise HttpError(412, "A dashboard with the same uid already exists",
                            status="name-exists")
        if sent != existing["version"]:
            raise HttpError(412, "The dashboard has been changed by someone else",
                            status="version-mismatch")
    for other in state.dashboards.values():
        if (other["uid"] != uid and other["folderUid"] == folder
                and other["dashboard"].get("title") == title):
            raise HttpError(412, "A dashboard with the same name in the folder already exists",
                            status="name-exists")


def get_dashboard(state: State, req: Request, uid: str) -> Reply:
    """GET /api/dashboards/uid/{uid}: the model and its meta."""
    dash = _get(state, uid)
    folder = state.folders.get(dash["folderUid"], {})
    title = dash["dashboard"].get("title", "")
    meta = {"slug": slug(title), "url": f"/d/{uid}/{slug(title)}", "version": dash["version"],
            "folderUid": dash["folderUid"], "folderTitle": folder.get("title", "General"),
            "folderId": folder.get("id", 0), "provisioned": False, "canSave": True,
            "canEdit": True, "canAdmin": True, "canStar": True, "canDelete": True}
    return 200, {"dashboard": copy.deepcopy(dash["dashboard"]), "meta": meta}


def delete_dashboard(state: State, req: Request, uid: str) -> Reply:
    """DELETE /api/dashboards/uid/{uid}."""
    dash = _get(state, uid)
    del state.dashboards[uid]
    title = dash["dashboard"].get("title", "")
    return 200, {"title": title, "message": f"Dashboard {title} deleted", "id": dash["id"]}


def search(state: State, req: Request) -> Reply:
    """GET /api/search: folders and dashboards filtered by query, tags, type, uids, folders."""
    hits = [_folder_hit(f) for f in state.folders.values()]
    hits += [_dash_hit(state, d) for d in state.dashboards.values()]
    hits = [h for h in hits if _matches(h, req)]
    reverse = req.arg("sort", "alpha-asc") == "alpha-desc"
    hits.sort(key=lambda h: (h["title"].lower(), h["uid"]), reverse=reverse)
    limit = min(int(req.arg("limit", "1000")), 5000)
    page = int(req.arg("page", "1"))
    return 200, hits[(page - 1) * limit: page * limit]


def _matches(hit: dict[str, Any], req: Request) -> bool:
    query = req.arg("query").lower()
    tags = req.query.get("tag", [])
    kind = req.arg("type")
    uids = req.query.get("dashboardUIDs", [])
    folders = req.query.get("folderUIDs", [])
    return ((not query or query in hit["title"].lower())
            and all(t in hit["tags"] for t in tags)
            and (not kind or hit["type"] == kind)
            and (not uids or hit["uid"] in uids)
            and (not folders or hit.get("folderUid", "") in folders))


def _folder_hit(folder: dict[str, Any]) -> dict[str, Any]:
    return {"id": folder["id"], "uid": folder["uid"], "title": folder["title"],
            "uri": f"db/{slug(folder['title'])}", "url": f"/dashboards/f/{folder['uid']}",
            "slug": slug(folder["title"]), "type": "dash-folder", "tags": [],
            "isStarred": False, "sortMeta": 0}


def _dash_hit(state: State, dash: dict[str, Any]) -> dict[str, Any]:
    title = dash["dashboard"].get("title", "")
    hit = {"id": dash["id"], "uid": dash["uid"], "title": title, "uri": f"db/{slug(title)}",
           "url": f"/d/{dash['uid']}/{slug(title)}", "slug": slug(title), "type": "dash-db",
           "tags": list(dash["dashboard"].get("tags", [])), "isStarred": False, "sortMeta": 0}
    folder = state.folders.get(dash["folderUid"])
    if folder:
        hit.update({"folderId": folder["id"], "folderUid": folder["uid"],
                    "folderTitle": folder["title"], "folderUrl": f"/dashboards/f/{folder['uid']}"})
    return hit
