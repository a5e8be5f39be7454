"""Read what Grafana holds now, one list call per object kind (no per-object fetches)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from generator.apply.client import HttpClient
from generator.apply.desired import FOLDER_DESCRIPTION, MANAGED_TAG
from generator.apply.ledger import LEDGER_NAME, Ledger, parse_ledger

PAGE = 1000
SEARCH_PAGE = 5000
PROVISIONING = "/api/v1/provisioning"


def folders(client: HttpClient) -> dict[str, dict[str, Any]]:
    """Folders by uid (`uid`, `title` only: the list call returns no more)."""
    found: dict[str, dict[str, Any]] = {}
    page = 1
    while True:
        batch = client.call("GET", "/api/folders", params={"limit": PAGE, "page": page},
                            what="list folders") or []
        found.update({f["uid"]: f for f in batch})
        if len(batch) < PAGE:
            return found
        page += 1


def folder_owned(client: HttpClient, uid: str) -> bool:
    """True when the folder carries slogen's description marker."""
    folder = client.call("GET", f"/api/folders/{uid}", what=f"folder {uid}", ok_missing=True)
    return bool(folder) and folder.get("description") == FOLDER_DESCRIPTION


def datasources(client: HttpClient) -> dict[str, dict[str, Any]]:
    """Datasources by uid, with jsonData (secrets are never returned)."""
    batch = client.call("GET", "/api/datasources", what="list datasources") or []
    return {d["uid"]: d for d in batch}


def managed_dashboards(client: HttpClient) -> dict[str, dict[str, Any]]:
    """Search hits (uid, tags, folderUid) of every dashboard tagged as slogen's."""
    found: dict[str, dict[str, Any]] = {}
    page = 1
    while True:
        batch = client.call("GET", "/api/search", what="search managed dashboards", params={
            "tag": MANAGED_TAG, "type": "dash-db", "limit": SEARCH_PAGE, "page": page}) or []
        found.update({h["uid"]: h for h in batch})
        if len(batch) < SEARCH_PAGE:
            return found
        page += 1


def rule_groups(client: HttpClient) -> dict[str, list[dict[str, Any]]]:
    """Provisioned alert rules grouped by `folderUid/group`."""
    rules = client.call("GET", f"{PROVISIONING}/alert-rules", what="list alert rules") or []
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rule in rules:
        groups[f"{rule['folderUID']}/{rule['ruleGroup']}"].append(rule)
    return dict(groups)


def templates(client: HttpClient) -> tuple[dict[str, str], Ledger]:
    """Notification templates by name (the ledger left out) and the ledger they hold."""
    found = client.call("GET", f"{PROVISIONING}/templates", what="list templates",
                        ok_missing=True) or []
    texts = {t["name"]: t.get("template", "") for t in found}
    ledger = parse_ledger(texts.pop(LEDGER_NAME, None))
    return texts, ledger


def contact_points(client: HttpClient) -> dict[str, dict[str, Any]]:
    """Contact points by uid (secret settings come back redacted)."""
    found = client.call("GET", f"{PROVISIONING}/contact-points", what="list contact points") or []
    return {c["uid"]: c for c in found}


def mute_timings(client: HttpClient) -> dict[str, dict[str, Any]]:
    """Mute timings by name."""
    found = client.call("GET", f"{PROVISIONING}/mute-timings", what="list mute timings") or []
    return {m["name"]: m for m in found}


def policies(client: HttpClient) -> dict[str, Any]:
    """The notification policy tree."""
    tree = client.call("GET", f"{PROVISIONING}/policies", what="read notification policies")
    return tree if isinstance(tree, dict) else {}
