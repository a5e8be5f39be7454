"""Push Prometheus rule groups to a Mimir / Cortex ruler through its config API.

One namespace per service, named `slogen-<service>`: the prefix is the managed marker, so
`--prune` only ever deletes groups in namespaces slogen owns. A no-op run is one GET.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rich.console import Console
from ruamel.yaml import YAML

from generator.apply.client import ApplyError, HttpClient, check_base_url

NAMESPACE_PREFIX = "slogen-"
RULES_PATH = "/prometheus/config/v1/rules"


@dataclass(frozen=True)
class GroupChange:
    """One rule group to create, update or delete (`group is None`), or leave unchanged."""

    namespace: str
    name: str
    action: str
    group: dict[str, Any] | None = None


def desired_groups(prom_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Rule groups per namespace, from out/prometheus/<service>.rules.yaml."""
    found = {}
    for path in sorted(prom_dir.glob("*.rules.yaml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        service = path.name.removesuffix(".rules.yaml")
        found[NAMESPACE_PREFIX + service] = list(data.get("groups") or [])
    return found


def current_groups(client: HttpClient) -> dict[str, list[dict[str, Any]]]:
    """Every rule group the tenant has, per namespace (empty when the ruler has none)."""
    text = client.call("GET", RULES_PATH, what="list ruler rules", ok_missing=True)
    if not text:
        return {}
    data = YAML(typ="safe").load(text) if isinstance(text, str) else text
    return {str(ns): list(groups or []) for ns, groups in (data or {}).items()}


def plan_groups(desired: dict[str, list[dict[str, Any]]], current: dict[str, list[dict[str, Any]]],
                prune: bool) -> list[GroupChange]:
    """Create / update / unchanged per desired group; delete stale groups when pruning."""
    changes = []
    for ns, groups in sorted(desired.items()):
        now = {g.get("name"): g for g in current.get(ns, [])}
        for group in groups:
            old = now.get(group["name"])
            action = ("create" if old is None
                      else "unchanged" if _normal(old) == _normal(group) else "update")
            changes.append(GroupChange(ns, group["name"], action, group))
    if prune:
        declared = {(ns, g["name"]) for ns, groups in desired.items() for g in groups}
        for ns, groups in sorted(current.items()):
            if ns.startswith(NAMESPACE_PREFIX):
                changes += [GroupChange(ns, str(g.get("name")), "delete") for g in groups
                            if (ns, g.get("name")) not in declared]
    return changes


def _normal(value: Any) -> Any:
    """Drop empty fields: rulers leave out what is unset when they echo a group back."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if v not in (None, "", [], {}, False)}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def push(client: HttpClient, changes: list[GroupChange]) -> list[str]:
    """Write every change; return one message per failure."""
    failures = []
    for change in changes:
        ns = quote(change.namespace, safe="")
        try:
            if change.action in ("create", "update"):
                client.call("POST", f"{RULES_PATH}/{ns}", raw=_yaml(change.group),
                            headers={"Content-Type": "application/yaml"},
                            what=f"rule group {change.namespace}/{change.name}")
            elif change.action == "delete":
                client.call("DELETE", f"{RULES_PATH}/{ns}/{quote(change.name, safe='')}",
                            what=f"rule group {change.namespace}/{change.name}", ok_missing=True)
        except ApplyError as exc:
            failures.append(str(exc))
    return failures


def _yaml(data: Any) -> str:
    # JSON is YAML, and much faster to write than block YAML for large rule groups.
    return json.dumps(data, sort_keys=True)


def run(args: argparse.Namespace, settings: dict[str, Any], console: Console) -> bool:
    """The `--rules-to mimir` part of `slogen apply`; True when something failed."""
    if not settings["mimir_url"]:
        raise ApplyError("--rules-to mimir needs MIMIR_URL (or --mimir-url)")
    tenant = settings["mimir_tenant"]
    url = check_base_url(str(settings["mimir_url"]), "ruler URL (--mimir-url, MIMIR_URL)")
    client = HttpClient(url, headers={"X-Scope-OrgID": tenant} if tenant else {})
    changes = plan_groups(desired_groups(args.out / "prometheus"), current_groups(client),
                          args.prune)
    for change in changes:
        if change.action != "unchanged" or args.verbose:
            console.print(f"{change.action} ruler group {change.namespace}/{change.name}")
    failures = [] if args.dry_run else push(client, [c for c in changes
                                                     if c.action != "unchanged"])
    for failure in failures:
        console.print(f"[bold red]failed[/bold red] {failure}")
    counts = {a: sum(c.action == a for c in changes) for a in
              ("create", "update", "unchanged", "delete")}
    console.print("mimir: " + ", ".join(f"{n} {a}" for a, n in counts.items())
                  + f"; {client.requests_sent} requests")
    return bool(failures)
