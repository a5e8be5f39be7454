"""Apply against the emulated Grafana: create, no-op, exact updates, ownership, prune."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.apply.changes import Refresh
from generator.apply.client import HttpClient
from generator.apply.grafana import apply_grafana
from generator.apply.plan import Action, Options, keys
from tests.apply.conftest import ENVIRON
from tests.grafana_emulator import Emulator


def _apply(client: HttpClient, out: Path, **options: Any) -> Any:
    return apply_grafana(client, out / "grafana" / "api", Options(**options), ENVIRON)


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_first_apply_creates_everything(emulator: Emulator, client: HttpClient,
                                        out_dir: Path) -> None:
    result = _apply(client, out_dir)
    assert not result.failed, result.outcomes
    state = emulator.state
    assert sorted(state.folders) == ["slo-checkout", "slo-payments"]
    assert sorted(state.datasources) == ["pg-orders", "prom-main"]
    assert sorted(state.dashboards) == ["checkout-slo", "payments-slo"]
    assert sorted(state.rules) == ["checkout-avail-page", "checkout-avail-ticket",
                                   "payments-latency-page"]
    assert {"slack-sre", "email-payments"} <= set(state.contact_points)
    assert state.policies["receiver"] == "slack-sre"
    assert "slogen" in state.templates
    assert state.datasources["pg-orders"]["secureJsonData"] == {"password": "pg-secret-value"}
    assert state.contact_points["slack-sre"]["settings"]["url"] == "https://hooks.example/secret"
    assert all(r["provenance"] == "api" for r in state.rules.values())


def test_second_apply_writes_nothing(emulator: Emulator, client: HttpClient,
                                     out_dir: Path) -> None:
    _apply(client, out_dir)
    emulator.reset_log()
    result = _apply(client, out_dir)
    assert emulator.writes() == []
    assert sorted(e.path for e in emulator.log) == [
        "/api/dashboards/uid/checkout-slo", "/api/dashboards/uid/payments-slo",
        "/api/datasources", "/api/folders", "/api/search", "/api/v1/provisioning/alert-rules",
        "/api/v1/provisioning/alert-rules/export", "/api/v1/provisioning/contact-points",
        "/api/v1/provisioning/policies",
        "/api/v1/provisioning/templates"]
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}


def test_the_markers_refresh_reads_five_lists(emulator: Emulator, client: HttpClient,
                                              out_dir: Path) -> None:
    _apply(client, out_dir)
    emulator.reset_log()
    result = _apply(client, out_dir, refresh=Refresh.MARKERS)
    assert emulator.writes() == []
    assert len(emulator.log) <= 5, [(e.method, e.path) for e in emulator.log]
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}


def test_a_changed_spec_updates_exactly_the_changed_objects(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    api = out_dir / "grafana" / "api"
    _edit(api / "dashboards" / "checkout-slo.json",
          lambda d: d["dashboard"].update(title="Checkout SLO v2"))
    _edit(api / "rule-groups" / "slo-payments" / "payments-slo.json",
          lambda d: d["rules"][0].update({"for": "10m"}))
    emulator.reset_log()
    result = _apply(client, out_dir)
    assert keys(result.plan.changes, Action.UPDATE) == [
        "dashboard checkout-slo", "rule-group slo-payments/payments-slo"]
    assert [(w.method, w.path) for w in emulator.writes()] == [
        ("POST", "/api/dashboards/db"),
        ("PUT", "/api/v1/provisioning/folder/slo-payments/rule-groups/payments-slo"),
        ("PUT", "/api/v1/provisioning/templates/slogen_managed")]  # the ledger: new hashes
    assert emulator.state.dashboards["checkout-slo"]["dashboard"]["title"] == "Checkout SLO v2"
    assert emulator.state.rules["payments-latency-page"]["for"] == "10m"


def test_disabled_provenance_keeps_alerting_editable_and_can_be_switched_on_later(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    assert {r["provenance"] for r in emulator.state.rules.values()} == {"api"}
    result = _apply(client, out_dir, disable_provenance=True)
    assert keys(result.plan.changes, Action.UPDATE) == [
        "rule-group slo-checkout/checkout-slo", "rule-group slo-payments/payments-slo"]
    assert {r["provenance"] for r in emulator.state.rules.values()} == {""}
    # Grafana refuses to unlock the other alerting kinds: refused by name, not silently kept.
    blocked = [c for c in result.plan.changes if c.action is Action.BLOCKED]
    assert [f"{c.kind} {c.key}" for c in blocked] == [
        "template slogen", "contact-point email-payments", "contact-point slack-sre",
        "policy policies"]
    assert all("contact points, mute timings, notification templates and the policy tree"
               in c.reason for c in blocked)
    assert result.failed
    emulator.reset_log()
    _apply(client, out_dir, disable_provenance=True)
    assert emulator.writes() == []


def test_with_disabled_provenance_from_the_start_nothing_is_locked(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    assert not _apply(client, out_dir, disable_provenance=True).failed
    state = emulator.state
    assert {r["provenance"] for r in state.rules.values()} == {""}
    assert state.contact_points["slack-sre"]["provenance"] == ""
    assert state.policies["provenance"] == ""
    assert state.templates["slogen"]["provenance"] == ""


def test_provenance_switched_off_again_locks_every_alerting_kind(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    assert not _apply(client, out_dir, disable_provenance=True).failed
    result = _apply(client, out_dir)
    assert not result.failed, result.outcomes
    assert sorted(c.kind.value for c in result.plan.changes if c.action is Action.UPDATE) == [
        "contact-point", "contact-point", "policy", "rule-group", "rule-group", "template"]
    state = emulator.state
    assert {r["provenance"] for r in state.rules.values()} == {"api"}
    assert state.contact_points["slack-sre"]["provenance"] == "api"
    assert state.policies["provenance"] == "api"
    assert state.templates["slogen"]["provenance"] == "api"
    emulator.reset_log()
    _apply(client, out_dir)
    assert emulator.writes() == []
