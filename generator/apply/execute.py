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
from generator.apply.desired import MANAGED_TAG, Desired, Kind
from generator.apply.ledger import LEDGER_NAME, Ledger
from generator.apply.plan import Action, Change, Options, Plan
from generator.apply.secrets import substitute

PROV = "/api/v1/provisioning"
PENDING = "pending"
# Kinds whose ownership only the ledger can prove: claimed in it before they are written.
UNMARKED_KINDS = (Kind.FOLDER, Kind.TEMPLATE, Kind.MUTE_TIMING, Kind.CONTACT_POINT, Kind.POLICY)
ALERTING_KINDS = (Kind.TEMPLATE, Kind.MUTE_TIMING, Kind.CONTACT_POINT, Kind.POLICY,
                  Kind.RULE_GROUP)


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
    plan: Plan = field(default_factory=Plan)
    version: int | None = None  # the version Grafana answered to the last write, if any

    def run(self, plan: Plan, progress: Callable[[Change], None] | None = None) -> list[Outcome]:
        """Apply every write of `plan`; an auth error stops the run, other errors are counted.

        The ledger is written before (claiming what is about to be created, so a run that dies
        midway still owns it) and after (hashes and versions of what was written), each time
        only if it changed: a run with nothing to do writes nothing.
        """
        self.plan = plan
        writes = plan.writes()
        stored = plan.ledger.copy()
        ledger = _rebuilt(plan, self.options)
        claimed = ledger.copy()
        for change in writes:
            if change.kind in UNMARKED_KINDS and change.action is not Action.DELETE:
                claimed.record(change.kind, change.key, PENDING)
        if not claimed.same_records(stored) and any(
                c.kind in UNMARKED_KINDS and c.action is Action.CREATE for c in writes):
            self._save_ledger(stored, claimed)
            stored = claimed.copy()
        ledger = claimed.copy()
        for change in writes:
            self.outcomes.append(self._one(change, ledger))
            if progress:
                progress(change)
        self._save_ledger(stored, ledger)
        self.outcomes += [Outcome(c, "blocked", c.reason) for c in plan.changes
                          if c.action is Action.BLOCKED]
        return self.outcomes

    def _one(self, change: Change, ledger: Ledger) -> Outcome:
        handler = getattr(self, f"_{change.kind.name.lower()}")
        self.version = None
        try:
            result = handler(change)
        except AuthError:
            raise
        except _Blocked as exc:
            if change.kind in UNMARKED_KINDS and not self.plan.ledger.owns(change.kind, change.key):
                ledger.forget(change.kind, change.key)  # the claim was someone else's object
            return Outcome(change, "blocked", str(exc))
        except ApplyError as exc:
            return Outcome(change, "failed", str(exc))
        if change.action is Action.DELETE:
            ledger.forget(change.kind, change.key)
        elif change.desired is not None:
            provenance = self.options.provenance if change.kind in ALERTING_KINDS else None
            ledger.record(change.kind, change.key, change.desired.hash, self.version, provenance)
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
        assert change.desired is not None
        body = self._body(change.desired)
        if change.action is Action.CREATE:
            try:
                self.version = _version(self.client.call("POST", "/api/folders", body, what=what))
                return "created"
            except ApiError as exc:
                if exc.status not in (409, 412):
                    raise
            # Created meanwhile: by this run (a reply lost and the POST retried), a racing
            # run, or someone else. Identical to the specs, it is taken as it is.
            now = self.client.call("GET", path, what=what, ok_missing=True)
            if now is None:
                raise ApplyError(f"{what}: Grafana answered a conflict, but no folder has this "
                                 f"uid (the title {body['title']!r} is taken in the parent?)")
            if now.get("title") == body["title"]:
                self.version = _version(now)
                return "created"
            if not self.plan.ledger.owns(change.kind, change.key) and not self.options.adopt:
                return _blocked("folder exists and is not managed by slogen (use --adopt)")
        self.version = _version(self.client.call(
            "PUT", path, {"title": body["title"], "overwrite": True}, what=what))
        return "updated"

    def _delete_folder(self, change: Change, path: str) -> str:
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
                answer = self.client.call("POST", "/api/datasources", body, what=what)
                self.version = _version((answer or {}).get("datasource"))
                return "created"
            except ApiError as exc:
                if exc.status != 409:
                    raise
                now = self.client.call("GET", path, what=what, ok_missing=True)
                if now is None:
                    raise
                if "slogenHash" not in (now.get("jsonData") or {}) and not self.options.adopt:
                    return _blocked("datasource exists and is not managed by slogen")
        answer = self.client.call("PUT", path, body, what=what)
        self.version = _version((answer or {}).get("datasource") if isinstance(answer, dict)
                                else None)
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
            self.version = _version(self.client.call("POST", "/api/dashboards/db", body,
                                                     what=what))
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
        self.version = _version(self.client.call(
            "POST", "/api/dashboards/db", {**body, "overwrite": True}, what=what))
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
        if after.same_records(before):
            return
        # The ledger keeps the provenance it was created with: Grafana refuses to change it.
        keep = self.plan.ledger.template_provenance
        editable = keep == "" if keep is not None else self.options.disable_provenance
        self.client.call("PUT", f"{PROV}/templates/{LEDGER_NAME}",
                         {"template": after.to_template()}, what=f"template {LEDGER_NAME}",
                         headers={"X-Disable-Provenance": "true"} if editable else {})
        after.present = True


class _Blocked(ApplyError):
    """The object exists and belongs to someone else."""


def _blocked(message: str) -> str:
    raise _Blocked(message)


def _version(answer: Any) -> int | None:
    """The `version` of Grafana's answer to a write, when it gives one."""
    value = answer.get("version") if isinstance(answer, dict) else None
    return value if isinstance(value, int) else None


def _rebuilt(plan: Plan, options: Options) -> Ledger:
    """The plan's ledger plus every unchanged object proven slogen's without being recorded
    (the ledger was lost, or written by an older slogen): the next run finds them listed."""
    ledger = plan.ledger.copy()
    for change in plan.changes:
        d = change.desired
        if change.action is Action.UNCHANGED and d is not None and ledger.hash(
                d.kind, d.key) != d.hash:
            provenance = options.provenance if d.kind in ALERTING_KINDS else None
            ledger.record(d.kind, d.key, d.hash, ledger.version(d.kind, d.key), provenance)
    return ledger
