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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

_ISSUES = re.compile(r"^/repos/([^/]+/[^/]+)/issues(?:/(\d+)(/comments)?)?$")


@dataclass
class GitHubState:
    """Issues and comments of one repository, plus the request log."""

    repo: str
    token: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[int, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(state: GitHubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            url = urlparse(self.path)
            with state.lock:
                state.requests.append((method, url.path))
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                self._send(401, {"message": "Bad credentials"})
                return
            match = _ISSUES.match(url.path)
            if not match or match.group(1) != state.repo:
                self._send(404, {"message": "Not Found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length)) if length else {}
            number = int(match.group(2)) if match.group(2) else None
            with state.lock:
                self._dispatch(method, number, bool(match.group(3)), parse_qs(url.query), payload)

        def _dispatch(self, method: str, number: int | None, comments: bool,
                      query: dict[str, list[str]], payload: dict[str, Any]) -> None:
            if number is None and method == "GET":
                wanted = set(query.get("labels", [""])[0].split(",")) - {""}
                status = query.get("state", ["open"])[0]
                rows = [i for i in state.issues
                        if (status == "all" or i["state"] == status)
                        and wanted <= {lb["name"] for lb in i["labels"]}]
                per_page = int(query.get("per_page", ["30"])[0])
                page = int(query.get("page", ["1"])[0])
                self._send(200, rows[(page - 1) * per_page: page * per_page])
            elif number is None and method == "POST":
                if not payload.get("title"):
                    self._send(422, {"message": "Validation Failed"})
                    return
                issue = {"number": len(state.issues) + 1, "state": "open",
                         "title": payload["title"], "body": payload.get("body", ""),
                         "labels": [{"name": n} for n in payload.get("labels", [])]}
                state.issues.append(issue)
                self._send(201, issue)
            elif number is not None and 1 <= number <= len(state.issues):
                issue = state.issues[number - 1]
                if comments and method == "POST":
                    state.comments.setdefault(number, []).append(payload["body"])
                    self._send(201, {"body": payload["body"]})
                elif method == "PATCH":
                    editable = ("state", "title", "body")
                    issue.update({k: v for k, v in payload.items() if k in editable})
                    self._send(200, issue)
                else:
                    self._send(405, {"message": "Method Not Allowed"})
            else:
                self._send(404, {"message": "Not Found"})

        def do_GET(self) -> None:  # noqa: N802
            self._route("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._route("POST")

        def do_PATCH(self) -> None:  # noqa: N802
            self._route("PATCH")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def github_emulator(repo: str = "acme/hive",
                    token: str = "test-token") -> Iterator[tuple[str, GitHubState]]:
    """Serve the emulator on a free loopback port; yield (base URL, state)."""
    state = GitHubState(repo=repo, token=token)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
