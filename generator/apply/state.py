"""Read what Grafana holds now: one list call per kind where Grafana has one, and bounded
parallel reads where it has none (a dashboard's model and version come only one by one)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from generator.apply.client import ApiError, HttpClient
from generator.apply.desired import MANAGED_TAG
from generator.apply.drift import seconds
from generator.apply.ledger import LEDGER_NAME, Ledger, parse_ledger

PAGE = 1000
SEARCH_PAGE = 5000
PROVISIONING = "/api/v1/provisioning"
READERS = 8  # parallel reads in flight: enough to hide loopback/LAN latency, gentle on Grafana
UID_BATCH = 100  # dashboard uids per search request: keeps the URL well under 8 KB


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


def existing_dashboards(client: HttpClient, uids: list[str]) -> set[str]:
    """Which of `uids` name a dashboard, whoever owns it: a search by uid, UID_BATCH at once."""
    found: set[str] = set()
    for start in range(0, len(uids), UID_BATCH):
        batch = uids[start:start + UID_BATCH]
        hits = client.call("GET", "/api/search", what="search declared dashboards", params={
            "dashboardUIDs": batch, "type": "dash-db", "limit": SEARCH_PAGE}) or []
        found |= {h["uid"] for h in hits if isinstance(h, dict) and "uid" in h}
    return found


def dashboards(client: HttpClient, uids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """`{dashboard, meta}` of each dashboard that exists, read in parallel (READERS at once).

    A search by uid first, so dashboards not there yet (a first apply) cost no read.
    """
    declared = sorted(set(uids))
    present = existing_dashboards(client, declared) if declared else set()
    wanted = [uid for uid in declared if uid in present]

    def read(uid: str) -> Any:
        return client.call("GET", f"/api/dashboards/uid/{quote(uid)}", what=f"dashboard {uid}",
                           ok_missing=True)

    if not wanted:
        return {}
    with ThreadPoolExecutor(max_workers=min(READERS, len(wanted))) as pool:
        found = list(pool.map(read, wanted))
    return {uid: now for uid, now in zip(wanted, found, strict=True) if now}


def rule_group_intervals(client: HttpClient,
                         folder_titles: dict[str, str]) -> dict[str, int]:
    """Evaluation interval (seconds) of every rule group, by `folderUid/group`, in one call.

    The rule list has no intervals; the export has them, keyed by folder title.
    """
    try:
        export = client.call("GET", f"{PROVISIONING}/alert-rules/export",
                             what="export alert rules", params={"format": "json"},
                             ok_missing=True) or {}
    except ApiError:
        # A Grafana without the bulk export (before 10.x): intervals stay unknown, and an edited
        # interval goes unseen rather than the whole plan failing.
        return {}
    by_title: dict[str, list[str]] = defaultdict(list)
    for uid, title in folder_titles.items():
        by_title[title].append(uid)
    groups = export.get("groups") if isinstance(export, dict) else None
    found: dict[str, int] = {}
    for group in groups or []:
        uids = by_title.get(str(group.get("folder", "")), [])
        interval = seconds(group.get("interval"))
        if len(uids) == 1 and interval is not None:  # an ambiguous title: leave it unknown
            found[f"{uids[0]}/{group.get('name')}"] = interval
    return found


def rule_groups(client: HttpClient) -> dict[str, list[dict[str, Any]]]:
    """Provisioned alert rules grouped by `folderUid/group`."""
    rules = client.call("GET", f"{PROVISIONING}/alert-rules", what="list alert rules") or []
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rule in rules:
        groups[f"{rule['folderUID']}/{rule['ruleGroup']}"].append(rule)
    return dict(groups)


def templates(client: HttpClient) -> tuple[dict[str, dict[str, Any]], Ledger]:
    """Notification templates by name (the ledger left out) and the ledger they hold."""
    found = client.call("GET", f"{PROVISIONING}/templates", what="list templates",
                        ok_missing=True) or []
    by_name = {t["name"]: t for t in found}
    stored = by_name.pop(LEDGER_NAME, None)
    ledger = parse_ledger(stored.get("template", "") if stored else None)
    ledger.template_provenance = stored.get("provenance", "") if stored else None
    return by_name, ledger


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
