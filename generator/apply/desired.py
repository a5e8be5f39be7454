"""Read the generated API documents under out/grafana/api/ into desired objects with markers.

Dashboards are written once, as provisioning JSON under out/grafana/provisioning/dashboards/;
the POST /api/dashboards/db body is built here from it and the folder its provider names.

Markers are added here, at push time, so an object is recognisable as slogen's in Grafana even
if the generated file lacks them (see `generator.apply` for what each kind carries).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from generator.apply.client import ApplyError

MANAGED_TAG = "managed-by:slogen"
HASH_TAG_PREFIX = "slogen-hash:"
RULE_LABEL, RULE_LABEL_VALUE = "managed_by", "slogen"
# Earlier versions kept the group hash in this annotation, which Grafana's default notification
# text shows; it now lives in the ledger, and is stripped from bodies (and so from Grafana).
RULE_HASH_ANNOTATION = "slogen_group_hash"
DATASOURCE_HASH_KEY = "slogenHash"


class Kind(StrEnum):
    """Object kinds, in the order they are created (deletes go in reverse)."""

    FOLDER = "folder"
    DATASOURCE = "datasource"
    TEMPLATE = "template"
    MUTE_TIMING = "mute-timing"
    CONTACT_POINT = "contact-point"
    POLICY = "policy"
    DASHBOARD = "dashboard"  # before the rules, which may link to its panels
    RULE_GROUP = "rule-group"


KIND_ORDER = tuple(Kind)


@dataclass(frozen=True)
class Desired:
    """One object slogen wants in Grafana: its key, request body (placeholders kept) and hash."""

    kind: Kind
    key: str
    body: dict[str, Any]
    hash: str
    file: str

    @property
    def label(self) -> str:
        """`kind key`, for messages."""
        return f"{self.kind} {self.key}"


def content_hash(data: Any) -> str:
    """First 12 hex of sha256 over canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def load_desired(api_dir: Path) -> list[Desired]:
    """Every object under `api_dir` (out/grafana/api), in creation order then key order."""
    found: list[Desired] = []
    for rel, data in _documents(api_dir):
        found.append(_desired(rel, data))
    _reject_duplicates(found)
    return sorted(found, key=lambda d: (KIND_ORDER.index(d.kind), d.key))


def _documents(api_dir: Path) -> list[tuple[str, Any]]:
    docs = []
    if api_dir.is_dir():
        for path in sorted(api_dir.rglob("*.json")):
            rel = path.relative_to(api_dir).as_posix()
            docs.append((rel, _read_json(path, "API document")))
    known = {rel for rel, _ in docs}
    provisioned = provisioned_dashboards(api_dir.parent / "provisioning" / "dashboards")
    return docs + [(rel, body) for rel, body in provisioned if rel not in known]


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ApplyError(f"{path}: cannot read {what}: {exc}") from None


# The provider file's paths start with Grafana's provisioning directory; the part after it is
# the same below out/grafana/provisioning/.
_PROVISIONING_PREFIX = "$__env{GF_PATHS_PROVISIONING}/dashboards/"


def provisioned_dashboards(dashboards_dir: Path) -> list[tuple[str, Any]]:
    """(`dashboards/<uid>.json`, API body) for each dashboard a provider of slogen.yaml reads."""
    provider_file = dashboards_dir / "slogen.yaml"
    if not provider_file.is_file():
        return []
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        providers = YAML(typ="safe").load(provider_file.read_text(encoding="utf-8"))["providers"]
    except (OSError, YAMLError, KeyError, TypeError) as exc:
        raise ApplyError(f"{provider_file}: cannot read the dashboard providers: {exc}") from None
    found = []
    for provider in providers or []:
        path = str((provider.get("options") or {}).get("path", ""))
        if not path.startswith(_PROVISIONING_PREFIX):
            continue
        folder = provider.get("folderUid") or ""
        for board in sorted((dashboards_dir / path.removeprefix(_PROVISIONING_PREFIX))
                            .rglob("*.json")):
            body = {"dashboard": _read_json(board, "dashboard")} | (
                {"folderUid": folder} if folder else {})
            found.append((f"dashboards/{board.name}", body))
    return found


def _desired(rel: str, data: Any) -> Desired:
    if not isinstance(data, dict):
        raise ApplyError(f"{rel}: expected a JSON object")
    top = rel.split("/", 1)[0]
    builders = {"folders": _folder, "datasources": _datasource, "dashboards": _dashboard,
                "rule-groups": _rule_group, "contact-points": _contact_point,
                "templates": _template, "mute-timings": _mute_timing,
                "policies.json": _policy}
    if top not in builders:
        raise ApplyError(f"{rel}: unknown API document (known: {', '.join(sorted(builders))})")
    try:
        return builders[top](rel, copy.deepcopy(data))
    except KeyError as exc:
        raise ApplyError(f"{rel}: missing field {exc}") from None


def _folder(rel: str, body: dict[str, Any]) -> Desired:
    # No ownership marker: Grafana accepts a folder description but never returns it.
    return Desired(Kind.FOLDER, body["uid"], body, content_hash(body), rel)


def _datasource(rel: str, body: dict[str, Any]) -> Desired:
    json_data = body.setdefault("jsonData", {})
    json_data.pop(DATASOURCE_HASH_KEY, None)
    digest = content_hash(body)
    json_data[DATASOURCE_HASH_KEY] = digest
    return Desired(Kind.DATASOURCE, body["uid"], body, digest, rel)


def _dashboard(rel: str, body: dict[str, Any]) -> Desired:
    dashboard = body["dashboard"]
    dashboard.pop("id", None)
    dashboard.pop("version", None)
    tags = list(dashboard.get("tags", []))
    if MANAGED_TAG not in tags:
        tags.append(MANAGED_TAG)
    given = [t for t in tags if t.startswith(HASH_TAG_PREFIX)]
    if given:
        digest = given[0].removeprefix(HASH_TAG_PREFIX)  # the Grafana target's own hash
    else:
        digest = content_hash({**dashboard, "tags": tags})
        tags.append(HASH_TAG_PREFIX + digest)
    dashboard["tags"] = tags
    body["overwrite"] = False  # the executor decides; never clobber an unmanaged dashboard
    # The folder is part of the object: the same dashboard in another folder is a change.
    digest = digest if not body.get("folderUid") else f"{digest}@{body['folderUid']}"
    return Desired(Kind.DASHBOARD, dashboard["uid"], body, digest, rel)


def _rule_group(rel: str, body: dict[str, Any]) -> Desired:
    for rule in body.get("rules", []):
        rule.setdefault("labels", {})[RULE_LABEL] = RULE_LABEL_VALUE
        annotations = rule.get("annotations") or {}
        annotations.pop(RULE_HASH_ANNOTATION, None)
        if annotations:
            rule["annotations"] = annotations
    digest = content_hash(body)
    return Desired(Kind.RULE_GROUP, f"{body['folderUid']}/{body['title']}", body, digest, rel)


def _contact_point(rel: str, body: dict[str, Any]) -> Desired:
    return Desired(Kind.CONTACT_POINT, body["uid"], body, content_hash(body), rel)


def _template(rel: str, body: dict[str, Any]) -> Desired:
    return Desired(Kind.TEMPLATE, body["name"], body, content_hash(body), rel)


def _mute_timing(rel: str, body: dict[str, Any]) -> Desired:
    return Desired(Kind.MUTE_TIMING, body["name"], body, content_hash(body), rel)


def _policy(rel: str, body: dict[str, Any]) -> Desired:
    return Desired(Kind.POLICY, "policies", body, content_hash(body), rel)


def _reject_duplicates(found: list[Desired]) -> None:
    seen: dict[tuple[Kind, str], str] = {}
    for item in found:
        earlier = seen.setdefault((item.kind, item.key), item.file)
        if earlier != item.file:
            raise ApplyError(f"{item.file}: {item.label} is also declared in {earlier}")
