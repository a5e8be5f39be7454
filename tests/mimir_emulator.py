"""A Mimir/Cortex ruler config API look-alike on loopback (YAML in and out, per-tenant)."""

from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ruamel.yaml import YAML

from tests.emulator_base import Answer, LoopbackEmulator, RawRequest

PREFIX = "/prometheus/config/v1/rules"


def _yaml_text(data: Any) -> str:
    buf = io.StringIO()
    YAML(typ="safe", pure=False).dump(data, buf)
    return buf.getvalue()


def _group_problem(group: Any) -> str | None:
    """Why the ruler would refuse this group, like Mimir's rulefmt validation."""
    if not isinstance(group, dict) or not group.get("name"):
        return "invalid rules config: rule group name must not be empty"
    for rule in group.get("rules") or []:
        if bool(rule.get("record")) == bool(rule.get("alert")):
            return f"group {group['name']}: one of 'record' or 'alert' must be set"
        if not str(rule.get("expr") or "").strip():
            return f"group {group['name']}: field 'expr' must be set in rule"
    return None


@dataclass
class MimirRuler(LoopbackEmulator):
    """Rule groups per tenant and namespace; every request is logged as (method, path)."""

    groups: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: RawRequest) -> Answer:
        """Route one request; YAML (or plain text) answers."""
        path = re.sub(r"/+$", "", request.path) or "/"
        status, text = self.handle(request.method, path, request.headers.get("x-scope-orgid", ""),
                                   request.body.decode())
        return Answer(status, text.encode(), "application/yaml")

    def writes(self) -> list[tuple[str, str]]:
        """Logged requests other than GET."""
        return [entry for entry in self.log if entry[0] != "GET"]

    def handle(self, method: str, path: str, tenant: str, body: str) -> tuple[int, str]:
        """Answer one request."""
        with self.lock:
            self.log.append((method, path))
            if self.fail_next:
                return self.fail_next.pop(0), "injected fault\n"
            if not tenant:
                return 401, "no org id\n"
            if not path.startswith(PREFIX):
                return 404, "404 page not found\n"
            parts = [unquote(p) for p in path[len(PREFIX):].split("/") if p]
            return self._route(method, parts, self.groups.setdefault(tenant, {}), body)

    def _route(self, method: str, parts: list[str], spaces: dict[str, dict[str, Any]],
               body: str) -> tuple[int, str]:
        if method == "GET" and not parts:
            listing = {ns: list(g.values()) for ns, g in sorted(spaces.items()) if g}
            return (200, _yaml_text(listing)) if listing else (404, "no rule groups found\n")
        if method == "GET" and len(parts) == 1:
            found = list(spaces.get(parts[0], {}).values())
            if not found:
                return 404, "no rule groups found\n"
            return 200, _yaml_text({parts[0]: found})
        if method == "POST" and len(parts) == 1:
            try:
                group = json.loads(body) if body.lstrip().startswith("{") else YAML(
                    typ="safe").load(body)
            except Exception as exc:  # noqa: BLE001 - any parse error is the client's fault
                return 400, f"unable to decode rule group: {exc}\n"
            problem = _group_problem(group)
            if problem:
                return 400, problem + "\n"
            spaces.setdefault(parts[0], {})[group["name"]] = group
            return 202, "{}\n"
        if method == "DELETE" and len(parts) == 2:
            if parts[1] not in spaces.get(parts[0], {}):
                return 404, "group does not exist\n"
            del spaces[parts[0]][parts[1]]
            return 202, "{}\n"
        if method == "DELETE" and len(parts) == 1:
            spaces.pop(parts[0], None)
            return 202, "{}\n"
        return 405, "method not allowed\n"
