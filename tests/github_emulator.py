"""A loopback emulator of the GitHub issues REST API (the subset the bridge uses).

It checks the bearer token, paginates like GitHub, filters by state and labels, and records
every request so tests can assert on what the bridge did.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.emulator_base import Answer, LoopbackEmulator, RawRequest

_ISSUES = re.compile(r"^/repos/([^/]+/[^/]+)/issues(?:/(\d+)(/comments)?)?$")
Reply = tuple[int, Any]


@dataclass
class GitHubState(LoopbackEmulator):
    """Issues and comments of one repository, plus the request log."""

    repo: str
    token: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: RawRequest) -> Answer:
        """Log, authenticate, route; JSON answers."""
        status, body = self._route(request)
        return Answer(status, json.dumps(body).encode())

    def _route(self, request: RawRequest) -> Reply:
        with self.lock:
            self.requests.append((request.method, request.path))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}
        match = _ISSUES.match(request.path)
        if not match or match.group(1) != self.repo:
            return 404, {"message": "Not Found"}
        payload = json.loads(request.body) if request.body else {}
        number = int(match.group(2)) if match.group(2) else None
        with self.lock:
            return self._dispatch(request.method, number, bool(match.group(3)), request.query,
                                  payload)

    def _dispatch(self, method: str, number: int | None, comments: bool,
                  query: dict[str, list[str]], payload: dict[str, Any]) -> Reply:
        if number is None and method == "GET":
            wanted = set(query.get("labels", [""])[0].split(",")) - {""}
            status = query.get("state", ["open"])[0]
            rows = [i for i in self.issues
                    if (status == "all" or i["state"] == status)
                    and wanted <= {lb["name"] for lb in i["labels"]}]
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            return 200, rows[(page - 1) * per_page: page * per_page]
        if number is None and method == "POST":
            if not payload.get("title"):
                return 422, {"message": "Validation Failed"}
            issue = {"number": len(self.issues) + 1, "state": "open",
                     "title": payload["title"], "body": payload.get("body", ""),
                     "labels": [{"name": n} for n in payload.get("labels", [])]}
            self.issues.append(issue)
            return 201, issue
        if number is not None and 1 <= number <= len(self.issues):
            issue = self.issues[number - 1]
            if comments and method == "POST":
                self.comments.setdefault(number, []).append(payload["body"])
                return 201, {"body": payload["body"]}
            if method == "PATCH":
                editable = ("state", "title", "body")
                issue.update({k: v for k, v in payload.items() if k in editable})
                return 200, issue
            return 405, {"message": "Method Not Allowed"}
        return 404, {"message": "Not Found"}


@contextmanager
def github_emulator(repo: str = "acme/hive",
                    token: str = "test-token") -> Iterator[tuple[str, GitHubState]]:
    """Serve the emulator on a free loopback port; yield (base URL, state)."""
    state = GitHubState(repo=repo, token=token).start()
    try:
        yield state.url, state
    finally:
        state.stop()
