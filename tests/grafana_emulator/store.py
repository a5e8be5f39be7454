"""State of one emulated Grafana org, and the error type its handlers raise."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")
DEFAULT_RECEIVER = "grafana-default-email"


Reply = tuple[int, Any]
"""What every route handler returns: status code and JSON body."""


class HttpError(Exception):
    """An error answer: status code and JSON body, as Grafana would send them."""

    def __init__(self, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.body = {"message": message, **extra}


@dataclass(frozen=True)
class Request:
    """One decoded request as handlers see it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]

    def arg(self, name: str, default: str = "") -> str:
        """The first value of query parameter `name`."""
        return self.query.get(name, [default])[0]

    @property
    def provenance(self) -> str:
        """The provenance a write stores: none with X-Disable-Provenance, else "api"."""
        return "" if self.headers.get("x-disable-provenance", "").lower() == "true" else "api"


@dataclass
class State:
    """Everything stored, keyed by uid (or name for templates)."""

    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasources: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_intervals: dict[tuple[str, str], int] = field(default_factory=dict)
    contact_points: dict[str, dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    mute_timings: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, Any] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.contact_points["default-email"] = {
            "uid": "default-email", "name": DEFAULT_RECEIVER, "type": "email",
            "settings": {"addresses": "<example@email.com>"}, "disableResolveMessage": False,
            "provenance": ""}
        self.reset_policies()

    def reset_policies(self) -> None:
        """Grafana's default tree: everything to the default email receiver."""
        self.policies = {"receiver": DEFAULT_RECEIVER,
                         "group_by": ["grafana_folder", "alertname"], "provenance": ""}

    def next_id(self) -> int:
        """A fresh numeric id."""
        return next(self.ids)


def new_uid() -> str:
    """A generated uid, as Grafana makes one when none is given."""
    return uuid.uuid4().hex[:14]


def check_uid(uid: Any) -> str:
    """`uid` if it is a valid Grafana uid, else 400 as Grafana answers."""
    if not isinstance(uid, str) or not UID_RE.match(uid):
        raise HttpError(400, "uid contains illegal characters or is longer than 40 characters")
    return uid


def require_object(body: Any) -> dict[str, Any]:
    """The body as a JSON object, else 400 like Grafana's binding errors."""
    if not isinstance(body, dict):
        raise HttpError(400, "bad request data")
    return body


def can_change_provenance(old: str, new: str, rules: bool) -> bool:
    """Grafana's transitions: same, or from none; rules may also drop `api` for none."""
    return old == new or old == "" or (rules and old == "api" and new == "")


def slug(title: str) -> str:
    """Grafana's url slug of a title."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
