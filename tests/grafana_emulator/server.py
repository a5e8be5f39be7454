"""The emulator's HTTP side: routing, auth, body validation, request log and fault injection."""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.emulator_base import Answer, LoopbackEmulator, RawRequest
from tests.grafana_emulator import alerting, dashboards, folders, notifications
from tests.grafana_emulator.store import HttpError, Request, State

Validator = Callable[[str, str, Any], None]
AnswerCheck = Callable[[str, str, int, Any], None]
P = "/api/v1/provisioning"
SEG = "([^/]+)"
ROUTES: tuple[tuple[str, str, Callable[..., tuple[int, Any]]], ...] = (
    ("GET", "/api/folders", folders.list_folders),
    ("POST", "/api/folders", folders.create_folder),
    ("GET", f"/api/folders/{SEG}", folders.get_folder),
    ("PUT", f"/api/folders/{SEG}", folders.update_folder),
    ("DELETE", f"/api/folders/{SEG}", folders.delete_folder),
    ("GET", "/api/datasources", folders.list_datasources),
    ("POST", "/api/datasources", folders.create_datasource),
    ("GET", f"/api/datasources/uid/{SEG}", folders.get_datasource),
    ("PUT", f"/api/datasources/uid/{SEG}", folders.update_datasource),
    ("DELETE", f"/api/datasources/uid/{SEG}", folders.delete_datasource),
    ("POST", "/api/dashboards/db", dashboards.save_dashboard),
    ("GET", f"/api/dashboards/uid/{SEG}", dashboards.get_dashboard),
    ("DELETE", f"/api/dashboards/uid/{SEG}", dashboards.delete_dashboard),
    ("GET", "/api/search", dashboards.search),
    ("GET", f"{P}/alert-rules", alerting.list_rules),
    ("GET", f"{P}/alert-rules/export", alerting.export_rules),
    ("GET", f"{P}/alert-rules/{SEG}", alerting.get_rule),
    ("GET", f"{P}/folder/{SEG}/rule-groups/{SEG}", alerting.get_group),
    ("PUT", f"{P}/folder/{SEG}/rule-groups/{SEG}", alerting.put_group),
    ("DELETE", f"{P}/folder/{SEG}/rule-groups/{SEG}", alerting.delete_group),
    ("GET", f"{P}/contact-points", notifications.list_contact_points),
    ("POST", f"{P}/contact-points", notifications.create_contact_point),
    ("PUT", f"{P}/contact-points/{SEG}", notifications.update_contact_point),
    ("DELETE", f"{P}/contact-points/{SEG}", notifications.delete_contact_point),
    ("GET", f"{P}/policies", notifications.get_policies),
    ("PUT", f"{P}/policies", notifications.put_policies),
    ("DELETE", f"{P}/policies", notifications.reset_policies),
    ("GET", f"{P}/mute-timings", notifications.list_mute_timings),
    ("POST", f"{P}/mute-timings", notifications.create_mute_timing),
    ("PUT", f"{P}/mute-timings/{SEG}", notifications.update_mute_timing),
    ("DELETE", f"{P}/mute-timings/{SEG}", notifications.delete_mute_timing),
    ("GET", f"{P}/templates", notifications.list_templates),
    ("GET", f"{P}/templates/{SEG}", notifications.get_template),
    ("PUT", f"{P}/templates/{SEG}", notifications.put_template),
    ("DELETE", f"{P}/templates/{SEG}", notifications.delete_template),
)
COMPILED = tuple((m, re.compile(p), f) for m, p, f in ROUTES)


@dataclass
class Fault:
    """Answer `times` matching requests with `status` (after `delay` seconds), or just delay.

    `after_handling` runs the real handler first and then answers `status`: the write happened
    but the client never heard (a lost response), which is what a timeout looks like.
    """

    method: str
    path: str
    status: int | None = 500
    delay: float = 0.0
    times: int = 1
    after_handling: bool = False
    body: dict[str, Any] = field(default_factory=lambda: {"message": "injected fault"})

    def matches(self, method: str, path: str) -> bool:
        """True while it still has firings left and the request matches."""
        return (self.times > 0 and method == self.method
                and re.fullmatch(self.path, path) is not None)


@dataclass
class Logged:
    """One request the emulator answered."""

    method: str
    path: str
    status: int


@dataclass
class Emulator(LoopbackEmulator):
    """A Grafana look-alike for one org, served over HTTP on loopback."""

    token: str = "glsa_test-token"
    user: str = "admin"
    password: str = "admin-password"
    org_id: int = 1
    read_only_token: str = "glsa_viewer-token"
    validator: Validator | None = None
    answer_check: AnswerCheck | None = None
    answer_problems: list[str] = field(default_factory=list)
    state: State = field(default_factory=State)
    faults: list[Fault] = field(default_factory=list)
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    def answer(self, request: RawRequest) -> Answer:
        """Decode the JSON body, answer, encode the reply (no body for a 204)."""
        try:
            body = json.loads(request.body) if request.body else None
        except ValueError:
            return Answer(400, json.dumps({"message": "bad request data"}).encode())
        req = Request(request.method, request.path, request.query, body, request.headers)
        status, reply = self.handle(req, request.headers.get("authorization", ""))
        data = b"" if reply is None or status == 204 else json.dumps(reply).encode()
        return Answer(status, data, headers={"Retry-After": "0"} if status == 429 else {})

    def reset_log(self) -> None:
        """Forget logged requests (e.g. between a first and a second apply)."""
        with self.lock:
            self.log.clear()

    def writes(self) -> list[Logged]:
        """Logged requests that were not reads."""
        return [entry for entry in self.log if entry.method != "GET"]

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each fires `times` times on matching requests."""
        with self.lock:
            self.faults.extend(faults)

    def handle(self, req: Request, auth: str) -> tuple[int, Any]:
        """Answer one request (auth, faults, validation, route) and log it."""
        fault = self._take_fault(req)
        if fault and fault.delay:
            time.sleep(fault.delay)
        with self.lock:
            if fault and fault.status and not fault.after_handling:
                status, body = fault.status, fault.body
            else:
                status, body = self._answer(req, auth)
                if fault and fault.status:
                    status, body = fault.status, fault.body
            self.log.append(Logged(req.method, req.path, status))
            self._check_answer(req, status, body)
        return status, body

    def _check_answer(self, req: Request, status: int, body: Any) -> None:
        """Record every answer Grafana's API definitions say it would not give."""
        if self.answer_check is None:
            return
        try:
            self.answer_check(req.method, req.path, status, body)
        except KeyError as exc:
            self.answer_problems.append(str(exc))
        except AssertionError as exc:
            self.answer_problems.append(str(exc))

    def _take_fault(self, req: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(req.method, req.path):
                    fault.times -= 1
                    return fault
        return None

    def _answer(self, req: Request, auth: str) -> tuple[int, Any]:
        try:
            self._check_auth(req, auth)
            for method, pattern, handler in COMPILED:
                match = pattern.fullmatch(req.path)
                if match and method == req.method:
                    return self._run(handler, req, match.groups())
            raise HttpError(404, "Not found")
        except HttpError as exc:
            return exc.code, exc.body

    def _check_auth(self, req: Request, auth: str) -> None:
        basic = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        if auth == f"Bearer {self.read_only_token}":
            if req.method != "GET":
                raise HttpError(403, "You'll need additional permissions to perform this action.")
        elif auth not in (f"Bearer {self.token}", f"Basic {basic}"):
            raise HttpError(401, "Unauthorized")
        org = req.headers.get("x-grafana-org-id")
        if org is not None and org != str(self.org_id):
            raise HttpError(401, "User does not belong to the requested organization")

    def _run(self, handler: Callable[..., tuple[int, Any]], req: Request,
             args: tuple[str, ...]) -> tuple[int, Any]:
        """Run the handler on a copy first, so Grafana's own checks answer before the schema's."""
        if self.validator is None or req.method == "GET":
            return handler(self.state, req, *args)
        trial = copy.deepcopy(self.state)
        reply = handler(trial, req, *args)
        self._validate(req)
        self.state = trial
        return reply

    def _validate(self, req: Request) -> None:
        if self.validator is None or req.method in ("GET", "DELETE") or req.body is None:
            return
        try:
            self.validator(req.method, req.path, req.body)
        except KeyError:
            return  # an operation without a body definition in the spec
        except AssertionError as exc:
            raise HttpError(400, f"bad request data: {exc}") from None
