"""Carry out a plan against Grafana, one atomic request per object, in dependency order.

Every write replaces a whole object (dashboard save, group PUT, datasource PUT), so a run that
stops midway leaves each object old or new; the next run's plan picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from generator.apply.client import ApiError, ApplyError, AuthError, HttpClient
from generator.apply.desired import FOLDER_DESCRIPTION, MANAGED_TAG, Desired, Kind
from generator.apply.ledger import LEDGER_NAME, Ledger
from generator.apply.plan import Action, Change, Options, Plan
from generator.apply.secrets import substitute

PROV = "/api/v1/provisioning"
PENDING = "pending"
NOTIFY_KINDS = (Kind.TEMPLATE, Kind.MUTE_TIMING, Kind.CONTACT_POINT, Kind.POLICY)


@dataclass(frozen=True)
class Outcome:
    """What happened to one planned change."""

    change: Change
    result: str  # created, updated, deleted, failed, blocked
    message: str = ""


@dataclass
class Executor:
    """Writes the changes of a plan; secrets are substituted only into outgoing bodies."""

    client: HttpClient
    options: Options
    environ: Mapping[str, str]
    file_root: Path | None = None
    outcomes: list[Outcome] = field(default_factory=list)

    def run(self, plan: Plan, progress: Callable[[Change], None] | None = None) -> list[Outcome]:
        """Apply every write of `plan`; an auth error stops the run, other errors are counted."""
        writes = plan.writes()
        claimed = plan.ledger.copy()
        if any(c.kind in NOTIFY_KINDS for c in writes):
            # Claim ownership before writing, so a run that dies midway still owns what it made.
            claimed = _claimed(plan.ledger, writes)
            self._save_ledger(plan.ledger, claimed)
        ledger = claimed.copy()
        for change in writes:
            self.outcomes.append(self._one(change, ledger))
            if progress:
                progress(change)
        self._save_ledger(claimed, ledger)
        self.outcomes += [Outcome(c, "blocked", c.reason) for c in plan.changes
                          if c.action is Action.BLOCKED]
        return self.outcomes

    def _one(self, change: Change, ledger: Ledger) -> Outcome:
        handler = getattr(self, f"_{change.kind.name.lower()}")
        try:
            result = handler(change)
        except AuthError:
            raise
        except _Blocked as exc:
            return Outcome(change, "blocked", str(exc))
        except ApplyError as exc:
            return Outcome(change, "failed", str(exc))
        _record(ledger, change)
        return Outcome(change, result)

    def _body(self, d: Desired) -> Any:
        return substitute(d.body, self.environ, self.file_root)

    def _prov_headers(self) -> dict[str, str]:
        return {"X-Disable-Provenance": "true"} if self.options.disable_provenance else {}

    def _what(self, change: Change) -> str:
        where = f"{change.file}: " if change.file else ""
        return f"{where}{change.kind} {change.key}"

    # --- folders -------------------------------------------------------------------------
    def _folder(self, change: Change) -> str:
        what, path = self._what(change), f"/api/folders/{quote(change.key)}"
        if change.action is Action.DELETE:
            return self._delete_folder(change, path)
        body = self._body(change.desired) if change.desired else {}
        if change.action is Action.CREATE:
            try:
                self.client.call("POST", "/api/folders", body, what=what)
                return "created"
            except ApiError as exc:
                if exc.status not in (409, 412):
                    raise
        # Exists (planned update, or created meanwhile by a racing run): update it if ours.
        now = self.client.call("GET", path, what=what, ok_missing=True)
        if now is None:
            # The conflict was on the title, or the racing object is gone again: retry once.
            self.client.call("POST", "/api/folders", body, what=what)
            return "created"
        if now.get("description") != FOLDER_DESCRIPTION and not self.options.adopt:
            return _blocked("folder exists and is not managed by slogen (use --adopt)")
        self.client.call("PUT", path, {"title": body["title"], "description": FOLDER_DESCRIPTION,
                                       "version": now.get("version"), "overwrite": True},
                         what=what)
        return "updated"

    def _delete_folder(self, change: Change, path: str) -> str:
        now = self.client.call("GET", path, what=self._what(change), ok_missing=True)
        if now is None or now.get("description") != FOLDER_DESCRIPTION:
            return "skipped"  # not ours: prune never touches it
        hits = self.client.call("GET", "/api/search", params={"folderUIDs": change.key},
                                what=self._what(change)) or []
        foreign = [h["uid"] for h in hits if MANAGED_TAG not in h.get("tags", [])]
        if foreign:
            return _blocked(f"folder holds dashboards not managed by slogen: {', '.join(foreign)}")
        # forceDeleteRules=false: Grafana refuses rather than deleting rules in the folder.
        self.client.call("DELETE", path, params={"forceDeleteRules": "false"},
                         what=self._what(change), ok_missing=True)
        return "deleted"

    # --- datasources ---------------------------------------------------------------------
    def _datasource(self, change: Change) -> str:
        what, path = self._what(change), f"/api/datasources/uid/{quote(change.key)}"
        if change.action is Action.DELETE:
            self.client.call("DELETE", path, what=what, ok_missing=True)
            return "deleted"
        assert change.desired is not None
        body = self._body(change.desired)
        if change.action is Action.CREATE:
            try:
                self.client.call("POST", "/api/datasources", body, what=what)
                return "created"
            except ApiError as exc:
                if exc.status != 409:
                    raise
                now = self.client.call("GET", path, what=what, ok_missing=True)
                if now is None:
                    raise
                if "slogenHash" not in (now.get("jsonData") or {}) and not self.options.adopt:
                    return _blocked("datasource exists and is not managed by slogen")
        self.client.call("PUT", path, body, what=what)
        return "updated"

    # --- dashboards ----------------------------------------------------------------------
    def _dashboard(self, change: Change) -> str:
        what, path = self._what(change), f"/api/dashboards/uid/{quote(change.key)}"
        if change.action is Action.DELETE:
            self.client.call("DELETE", path, what=what, ok_missing=True)
            return "deleted"
        assert change.desired is not None
        body = self._body(change.desired)
        body["overwrite"] = change.action is Action.UPDATE
        try:
            self.client.call("POST", "/api/dashboards/db", body, what=what)
            return "created" if change.action is Action.CREATE else "updated"
        except ApiError as exc:
            if exc.status != 412:
                raise
        # 412: the uid exists (someone else's, or a racing run's) or its version moved on.
        now = self.client.call("GET", path, what=what, ok_missing=True)
        if now is None:
            raise ApplyError(f"{what}: Grafana answered 412 but the dashboard is not there "
                             f"(a dashboard with the same title in the folder?)")
        if MANAGED_TAG not in now["dashboard"].get("tags", []) and not self.options.adopt:
            return _blocked("dashboard exists and is not managed by slogen (use --adopt)")
        self.client.call("POST", "/api/dashboards/db", {**body, "overwrite": True}, what=what)
        return "updated"

    # --- alerting ------------------------------------------------------------------------
    def _rule_group(self, change: Change) -> str:
        folder, group = change.key.split("/", 1)
        path = f"{PROV}/folder/{quote(folder)}/rule-groups/{quote(group, safe='')}"
        what = self._what(change)
        if change.action is Action.DELETE:
            self.client.call("DELETE", path, what=what, ok_missing=True,
                             headers=self._prov_headers())
            return "deleted"
        assert change.desired is not None
        body = self._body(change.desired)
        try:
            self.client.call("PUT", path, body, what=what, headers=self._prov_headers())
        except ApiError as exc:
            if exc.status != 409:
                raise
            # An optimistic-lock conflict with a concurrent writer: the group PUT is a whole
            # replacement, so sending it again is safe.
            self.client.call("PUT", path, body, what=what, headers=self._prov_headers())
        return "created" if change.action is Action.CREATE else "updated"

    def _template(self, change: Change) -> str:
        path, what = f"{PROV}/templates/{quote(change.key)}", self._what(change)
        if change.action is Action.DELETE:
            self.client.call("DELETE", path, what=what, ok_missing=True)
            return "deleted"
        assert change.desired is not None
        body = self._body(change.desired)
        self.client.call("PUT", path, {"template": body["template"]}, what=what,
                         headers=self._prov_headers())
        return "created" if change.action is Action.CREATE else "updated"

    def _contact_point(self, change: Change) -> str:
        return self._provisioned(change, "contact-points")

    def _mute_timing(self, change: Change) -> str:
        return self._provisioned(change, "mute-timings")

    def _provisioned(self, change: Change, kind: str) -> str:
        """Create (POST) or update (PUT by uid/name) one provisioning object of `kind`."""
        path, what = f"{PROV}/{kind}/{quote(change.key)}", self._what(change)
        if change.action is Action.DELETE:
            self.client.call("DELETE", path, what=what, ok_missing=True)
            return "deleted"
        assert change.desired is not None
        body = self._body(change.desired)
        if change.action is Action.CREATE:
            try:
                self.client.call("POST", f"{PROV}/{kind}", body, what=what,
                                 headers=self._prov_headers())
                return "created"
            except ApiError as exc:
                # Someone created it between plan and apply (or an earlier run's reply was
                # lost): converge by updating instead of failing.
                if exc.status not in (400, 409) or "exist" not in exc.message.lower():
                    raise
        self.client.call("PUT", path, body, what=what, headers=self._prov_headers())
        return "updated"

    def _policy(self, change: Change) -> str:
        path, what = f"{PROV}/policies", self._what(change)
        if change.action is Action.DELETE:
            self.client.call("DELETE", path, what=what)
            return "deleted"
        assert change.desired is not None
        self.client.call("PUT", path, self._body(change.desired), what=what,
                         headers=self._prov_headers())
        return "updated"

    def _save_ledger(self, before: Ledger, after: Ledger) -> None:
        if after == before:
            return
        self.client.call("PUT", f"{PROV}/templates/{LEDGER_NAME}",
                         {"template": after.to_template()}, what=f"template {LEDGER_NAME}",
                         headers=self._prov_headers())


class _Blocked(ApplyError):
    """The object exists and belongs to someone else."""


def _blocked(message: str) -> str:
    raise _Blocked(message)


def _claimed(ledger: Ledger, writes: list[Change]) -> Ledger:
    """`ledger` plus every object about to be created or updated, with a pending hash."""
    claimed = ledger.copy()
    for change in writes:
        if change.action in (Action.CREATE, Action.UPDATE):
            _mark(claimed, change.kind, change.key, PENDING)
    return claimed


def _record(ledger: Ledger, change: Change) -> None:
    if change.action is Action.DELETE:
        _mark(ledger, change.kind, change.key, None)
    elif change.desired is not None:
        _mark(ledger, change.kind, change.key, change.desired.hash)


def _mark(ledger: Ledger, kind: Kind, key: str, value: str | None) -> None:
    table = {Kind.CONTACT_POINT: ledger.contact_points, Kind.TEMPLATE: ledger.templates,
             Kind.MUTE_TIMING: ledger.mute_timings}.get(kind)
    if table is not None:
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    elif kind is Kind.POLICY:
        ledger.policies = value
