"""A tiny GitHub REST client and the bridge logic: open, comment on, and close issues."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from generator.bridge import issue_text
from generator.bridge.issue_text import Notification

LOG = logging.getLogger("slogen.bridge")
TIMEOUT_SECONDS = 10
PAGE_SIZE = 100
MAX_PAGES = 20


class GitHubError(Exception):
    """A GitHub API call failed; the message names the call and status, never the token."""


@dataclass
class GitHubClient:
    """Issues API of one repository."""

    api_url: str
    repo: str
    token: str
    session: requests.Session

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.api_url.rstrip('/')}/repos/{self.repo}{path}"
        headers = {"Authorization": f"Bearer {self.token}",
                   "Accept": "application/vnd.github+json",
                   "X-GitHub-Api-Version": "2022-11-28"}
        try:
            response = self.session.request(method, url, headers=headers, timeout=TIMEOUT_SECONDS,
                                            **kwargs)
        except requests.RequestException as exc:
            raise GitHubError(f"{method} {path}: {type(exc).__name__}") from None
        if response.status_code >= 300:
            message = ""
            with contextlib.suppress(ValueError):  # an error body that is not JSON has no message
                message = str(response.json().get("message", ""))
            raise GitHubError(f"{method} {path}: HTTP {response.status_code} {message}".strip())
        return response.json() if response.content else None

    def open_issues(self) -> list[Mapping[str, Any]]:
        """Open issues the bridge created (filtered by its label), all pages."""
        found: list[Mapping[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            batch = self._call("GET", "/issues", params={
                "state": "open", "labels": issue_text.BRIDGE_LABEL,
                "per_page": PAGE_SIZE, "page": page})
            found.extend(i for i in batch if "pull_request" not in i)
            if len(batch) < PAGE_SIZE:
                break
        return found

    def create_issue(self, title: str, body: str, labels: list[str]) -> Mapping[str, Any]:
        """Open an issue."""
        result: Mapping[str, Any] = self._call(
            "POST", "/issues", json={"title": title, "body": body, "labels": labels})
        return result

    def comment(self, number: int, body: str) -> None:
        """Add a comment to an issue."""
        self._call("POST", f"/issues/{number}/comments", json={"body": body})

    def close(self, number: int) -> None:
        """Close an issue as completed."""
        self._call("PATCH", f"/issues/{number}", json={"state": "closed",
                                                      "state_reason": "completed"})


class IssueBridge:
    """Turns notifications into issue actions. One lock keeps concurrent notifications of the
    same group from opening two issues."""

    def __init__(self, client: GitHubClient) -> None:
        self._client = client
        self._lock = threading.Lock()

    def handle(self, notification: Notification) -> str:
        """Apply one notification; return what was done: opened, commented, closed or ignored."""
        with self._lock:
            existing = issue_text.find_issue(self._client.open_issues(), notification.group_key)
            if notification.firing:
                if existing is None:
                    created = self._client.create_issue(issue_text.title(notification),
                                                        issue_text.body(notification),
                                                        issue_text.labels(notification))
                    LOG.info("opened issue #%s for %s", created.get("number"),
                             issue_text.title(notification))
                    return "opened"
                self._client.comment(int(existing["number"]),
                                     issue_text.repeat_comment(notification))
                return "commented"
            if existing is None:
                return "ignored"
            self._client.comment(int(existing["number"]), issue_text.resolved_comment(notification))
            self._client.close(int(existing["number"]))
            LOG.info("closed issue #%s", existing["number"])
            return "closed"
