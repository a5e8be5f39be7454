"""What Grafana holds now, in the shape of the body slogen would send, and whether they agree.

A full refresh compares the two instead of trusting markers, so an edit made in the Grafana UI
is seen even though the marker (a hash tag, the ledger) travelled with the edited object.

Comparison is on normalised content: server fields (ids, versions, provenance, timestamps) are
left out, empty values (`null`, `""`, `[]`, `{}`, `false`) count as absent, and what Grafana
cannot show is taken from the desired body: redacted secure settings, secrets behind
`${env:...}`/`${file:...}` placeholders, and keys a list call does not return. On a dashboard
model and an alert rule, only the keys slogen sets are compared: Grafana versions add fields
with non-empty defaults to what they return, and those are not edits.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from generator.apply.desired import Desired, Kind
from generator.apply.secrets import PLACEHOLDER

REDACTED = "[REDACTED]"
# Fields Grafana sets itself; `url` is not one of them: a datasource's url is content.
SERVER_FIELDS = frozenset({"id", "version", "updated", "provenance", "orgID", "orgId",
                           "secureJsonFields", "readOnly", "typeLogoUrl", "typeName"})
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def seconds(duration: Any) -> int | None:
    """A Prometheus/Go duration ("1m30s") or a number, in whole seconds; None if unreadable."""
    if isinstance(duration, int):
        return duration
    if not isinstance(duration, str) or not duration:
        return None
    parts = _DURATION.findall(duration)
    if "".join(n + u for n, u in parts) != duration:
        return None
    return int(sum(int(n) * _SECONDS[u] for n, u in parts))


def same(desired: Desired, view: Any) -> bool:
    """True when what Grafana holds (`view`, from `current_view`) equals the desired body."""
    return bool(normalised(view) == normalised(desired.body))


def normalised(body: Any) -> Any:
    """`body` without server fields and empty values, for comparison."""
    if isinstance(body, dict):
        out = {k: normalised(v) for k, v in body.items() if k not in SERVER_FIELDS}
        return {k: v for k, v in out.items() if v not in (None, "", [], {}, False)}
    if isinstance(body, list):
        return [normalised(v) for v in body]
    return body


def current_view(desired: Desired, now: Any, interval: int | None = None) -> Any:
    """Grafana's object `now` in the shape of `desired.body` (see the module docstring)."""
    body = desired.body
    if desired.kind is Kind.FOLDER:
        view = {**body, "uid": now.get("uid"), "title": now.get("title")}
    elif desired.kind is Kind.DATASOURCE:
        view = {k: copy.deepcopy(now[k]) if k in now else v for k, v in body.items()}
    elif desired.kind is Kind.DASHBOARD:
        want = body.get("dashboard", {})
        model = {k: v for k, v in now["dashboard"].items() if k in want}
        view = {**body, "dashboard": model, "folderUid": now.get("meta", {}).get("folderUid", "")}
        if not body.get("folderUid"):
            view.pop("folderUid")
    elif desired.kind is Kind.RULE_GROUP:
        view = _group_view(body, now, interval)
    elif desired.kind is Kind.CONTACT_POINT:
        view = {k: copy.deepcopy(v) for k, v in now.items() if k != "provenance"}
        wanted = body.get("settings") or {}
        shown = now.get("settings") or {}
        # Secure settings come back as [REDACTED], or (some versions) not at all: unknowable.
        view["settings"] = {**{k: v for k, v in wanted.items() if k not in shown},
                            **{k: wanted.get(k, v) if v == REDACTED else v
                               for k, v in shown.items()}}
    elif desired.kind is Kind.TEMPLATE:
        view = {**body, "template": now.get("template", "")}
    else:  # mute timing, policy tree: Grafana returns the whole object
        view = {k: copy.deepcopy(v) for k, v in now.items() if k != "provenance"}
    return _unknowable(body, view)


def _group_view(body: dict[str, Any], rules: list[dict[str, Any]],
                interval: int | None) -> dict[str, Any]:
    """The group as a PUT body: rules in the desired order, then any others."""
    wanted = {r.get("uid"): i for i, r in enumerate(body.get("rules", []))}
    ordered = sorted(rules, key=lambda r: (wanted.get(r.get("uid"), len(wanted)), r.get("uid")))
    desired_rules = {r.get("uid"): r for r in body.get("rules", [])}
    view_rules = []
    for rule in ordered:
        want = desired_rules.get(rule.get("uid"))
        rule = {k: copy.deepcopy(v) for k, v in rule.items()
                if k not in ("id", "updated") and (want is None or k in want)}
        _keep_desired_model_keys(rule, want)
        view_rules.append(rule)
    return {**body, "interval": body.get("interval") if interval is None else interval,
            "rules": view_rules}


def _keep_desired_model_keys(rule: dict[str, Any], desired: dict[str, Any] | None) -> None:
    """Grafana may add defaults to a query model (intervalMs, maxDataPoints): compare only the
    keys slogen sets."""
    if desired is None:
        return
    models = {q.get("refId"): q.get("model") for q in desired.get("data", [])}
    for query in rule.get("data", []):
        want = models.get(query.get("refId"))
        if isinstance(want, dict) and isinstance(query.get("model"), dict):
            query["model"] = {k: v for k, v in query["model"].items() if k in want}


def _unknowable(desired: Any, view: Any) -> Any:
    """`view` with the desired value wherever the desired value hides behind a placeholder."""
    if isinstance(desired, str) and PLACEHOLDER.search(desired):
        return desired
    if isinstance(desired, dict) and isinstance(view, dict):
        out = dict(view)
        for key, value in desired.items():
            if key in out:
                out[key] = _unknowable(value, out[key])
        return out
    if isinstance(desired, list) and isinstance(view, list) and len(desired) == len(view):
        return [_unknowable(d, v) for d, v in zip(desired, view, strict=True)]
    return view
