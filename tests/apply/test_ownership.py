"""Objects slogen does not own survive apply and prune; --adopt takes them over."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import requests

from generator.apply.changes import Refresh
from generator.apply.client import HttpClient
from generator.apply.grafana import apply_grafana
from generator.apply.plan import Action, Options, keys
from tests.apply.conftest import ENVIRON
from tests.grafana_emulator import Emulator


def _apply(client: HttpClient, out: Path, **options: Any):  # type: ignore[no-untyped-def]
    return apply_grafana(client, out / "grafana" / "api", Options(**options), ENVIRON)


def _as_user(emulator: Emulator, method: str, path: str, body: object) -> requests.Response:
    """A request as a person in the UI would make it: no slogen markers."""
    return requests.request(method, emulator.url + path, json=body,
                            headers={"Authorization": f"Bearer {emulator.token}",
                                     "X-Disable-Provenance": "true"}, timeout=5)


def _seed_unmanaged(emulator: Emulator) -> None:
    assert _as_user(emulator, "POST", "/api/folders", {"uid": "team-x", "title": "Team X"}).ok
    assert _as_user(emulator, "POST", "/api/dashboards/db", {
        "dashboard": {"uid": "hand-made", "title": "Hand made", "tags": ["ops"]},
        "folderUid": "team-x"}).ok
    assert _as_user(emulator, "POST", "/api/datasources", {
        "uid": "loki", "name": "Loki", "type": "loki", "url": "http://loki"}).ok
    assert _as_user(emulator, "POST", "/api/v1/provisioning/contact-points", {
        "uid": "pager", "name": "pager", "type": "email", "settings": {"addresses": "a@b.c"}}).ok
    assert _as_user(emulator, "PUT", "/api/v1/provisioning/templates/ops", {
        "template": '{{ define "ops" }}ops{{ end }}'}).ok


def test_unmanaged_objects_survive_apply_and_prune(emulator: Emulator, client: HttpClient,
                                                   out_dir: Path) -> None:
    _seed_unmanaged(emulator)
    _apply(client, out_dir)
    shutil.rmtree(out_dir / "grafana" / "api" / "dashboards")
    (out_dir / "grafana" / "api" / "contact-points" / "email-payments.json").unlink()
    (out_dir / "grafana" / "api" / "datasources" / "pg-orders.json").unlink()
    policies = out_dir / "grafana" / "api" / "policies.json"
    policies.write_text(json.dumps({"receiver": "slack-sre"}))
    result = _apply(client, out_dir, prune=True)
    assert not result.failed, result.outcomes
    assert keys(result.plan.changes, Action.DELETE) == [
        "datasource pg-orders", "contact-point email-payments", "dashboard checkout-slo",
        "dashboard payments-slo"]
    state = emulator.state
    assert "hand-made" in state.dashboards and "team-x" in state.folders
    assert "loki" in state.datasources and "pager" in state.contact_points
    assert "ops" in state.templates
    assert "email-payments" not in state.contact_points
    assert "pg-orders" not in state.datasources


def test_pruning_a_folder_keeps_it_while_it_holds_unmanaged_dashboards(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    assert _as_user(emulator, "POST", "/api/dashboards/db", {
        "dashboard": {"uid": "mine", "title": "Mine"}, "folderUid": "slo-payments"}).ok
    api = out_dir / "grafana" / "api"
    (api / "folders" / "slo-payments.json").unlink()
    (api / "dashboards" / "payments-slo.json").unlink()
    (api / "rule-groups" / "slo-payments" / "payments-slo.json").unlink()
    result = _apply(client, out_dir, prune=True)
    blocked = [o for o in result.outcomes if o.result == "blocked"]
    assert [(o.change.key, o.message) for o in blocked] == [
        ("slo-payments", "folder holds dashboards not managed by slogen: mine")]
    assert "mine" in emulator.state.dashboards


def test_an_unmanaged_object_with_a_declared_uid_is_blocked_unless_adopted(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    assert _as_user(emulator, "POST", "/api/folders", {"uid": "slo-checkout", "title": "Mine"}).ok
    assert _as_user(emulator, "POST", "/api/dashboards/db", {
        "dashboard": {"uid": "checkout-slo", "title": "Someone's"}}).ok
    result = _apply(client, out_dir)
    assert sorted((o.change.key, o.message) for o in result.outcomes if o.result == "blocked") == [
        ("checkout-slo", "exists and is not managed by slogen (use --adopt to take it over)"),
        ("slo-checkout", "exists and is not managed by slogen (use --adopt to take it over)")]
    assert emulator.state.dashboards["checkout-slo"]["dashboard"]["title"] == "Someone's"
    result = _apply(client, out_dir, adopt=True)
    assert not result.failed, result.outcomes
    assert emulator.state.dashboards["checkout-slo"]["dashboard"]["title"] == "Checkout SLO"
    assert emulator.state.folders["slo-checkout"]["title"] == "Checkout SLOs"


def test_a_rule_group_with_a_hand_made_rule_is_not_replaced(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    group = "/api/v1/provisioning/folder/slo-payments/rule-groups/payments-slo"
    body = _as_user(emulator, "GET", group, None).json()
    body["rules"][0]["labels"].pop("managed_by")
    assert _as_user(emulator, "PUT", group, body).ok
    api = out_dir / "grafana" / "api" / "rule-groups" / "slo-payments" / "payments-slo.json"
    data = json.loads(api.read_text())
    data["interval"] = 120
    api.write_text(json.dumps(data))
    result = _apply(client, out_dir, prune=True)
    assert keys(result.plan.changes, Action.BLOCKED) == ["rule-group slo-payments/payments-slo"]
    assert emulator.state.group_intervals[("slo-payments", "payments-slo")] == 60


def test_dry_run_changes_nothing(emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    result = apply_grafana(client, out_dir / "grafana" / "api", Options(), ENVIRON, dry_run=True)
    assert emulator.writes() == []
    counts = result.plan.counts()
    assert (counts["create"], counts["update"]) == (11, 1)  # the default policy tree is replaced


def test_a_hand_made_policy_tree_is_kept_unless_adopted(emulator: Emulator, client: HttpClient,
                                                        out_dir: Path) -> None:
    assert _as_user(emulator, "PUT", "/api/v1/provisioning/policies", {
        "receiver": "grafana-default-email",
        "routes": [{"receiver": "grafana-default-email",
                    "object_matchers": [["team", "=", "db"]]}]}).ok
    result = _apply(client, out_dir)
    assert keys(result.plan.changes, Action.BLOCKED) == ["policy policies"]
    assert emulator.state.policies["routes"][0]["object_matchers"] == [["team", "=", "db"]]
    assert not _apply(client, out_dir, adopt=True).failed
    assert emulator.state.policies["receiver"] == "slack-sre"
    emulator.reset_log()
    _apply(client, out_dir)
    assert emulator.writes() == []


def test_folders_are_owned_without_a_description_renamed_and_pruned(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    api = out_dir / "grafana" / "api"
    folder = api / "folders" / "slo-checkout.json"
    folder.write_text(folder.read_text().replace("Checkout SLOs", "Checkout objectives"))
    renamed = _apply(client, out_dir)
    assert not renamed.failed, renamed.outcomes
    assert keys(renamed.plan.changes, Action.UPDATE) == ["folder slo-checkout"]
    assert emulator.state.folders["slo-checkout"]["title"] == "Checkout objectives"
    assert not _apply(client, out_dir, force=True).failed
    folder.unlink()
    (api / "dashboards" / "checkout-slo.json").unlink()
    shutil.rmtree(api / "rule-groups" / "slo-checkout")
    pruned = _apply(client, out_dir, prune=True)
    assert not pruned.failed, pruned.outcomes
    assert keys(pruned.plan.changes, Action.DELETE) == [
        "folder slo-checkout", "dashboard checkout-slo", "rule-group slo-checkout/checkout-slo"]
    assert "slo-checkout" not in emulator.state.folders


def _delete_ledger(emulator: Emulator) -> None:
    assert _as_user(emulator, "DELETE", "/api/v1/provisioning/templates/slogen_managed",
                    None).ok


def test_a_lost_ledger_is_rebuilt_from_markers_and_identical_objects(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    _delete_ledger(emulator)
    emulator.reset_log()
    result = _apply(client, out_dir)
    assert not result.failed, result.outcomes
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}
    assert result.plan.notes and "ledger" in result.plan.notes[0]
    assert [w.path for w in emulator.writes()] == [
        "/api/v1/provisioning/templates/slogen_managed"]
    emulator.reset_log()
    assert not _apply(client, out_dir, prune=True).failed
    assert emulator.writes() == []


def test_a_lost_ledger_blocks_only_what_differs_and_says_how_to_proceed(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    _delete_ledger(emulator)
    point = {"uid": "email-payments", "name": "email-payments", "type": "email",
             "settings": {"addresses": "edited@example.com"}}
    assert requests.put(emulator.url + "/api/v1/provisioning/contact-points/email-payments",
                        json=point, timeout=5,
                        headers={"Authorization": f"Bearer {emulator.token}"}).ok
    result = _apply(client, out_dir)
    [blocked] = [c for c in result.plan.changes if c.action is Action.BLOCKED]
    assert blocked.key == "email-payments"
    assert "ledger slogen_managed is missing" in blocked.reason and "--adopt" in blocked.reason
    assert not _apply(client, out_dir, adopt=True).failed
    assert emulator.state.contact_points["email-payments"]["settings"]["addresses"] != (
        "edited@example.com")


def test_an_undeclared_unpruned_contact_point_costs_no_reads(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    (out_dir / "grafana" / "api" / "contact-points" / "email-payments.json").unlink()
    policies = out_dir / "grafana" / "api" / "policies.json"
    policies.write_text(json.dumps({"receiver": "slack-sre"}))
    _apply(client, out_dir)
    emulator.reset_log()
    _apply(client, out_dir, refresh=Refresh.MARKERS)
    assert emulator.writes() == []
    assert len(emulator.log) <= 5, [e.path for e in emulator.log]


def test_dry_run_counts_equal_the_real_run(emulator: Emulator, client: HttpClient,
                                           out_dir: Path) -> None:
    assert _as_user(emulator, "POST", "/api/folders", {"uid": "slo-checkout", "title": "Mine"}).ok
    assert _as_user(emulator, "POST", "/api/dashboards/db", {
        "dashboard": {"uid": "checkout-slo", "title": "Someone's"}}).ok
    assert _as_user(emulator, "POST", "/api/v1/provisioning/contact-points", {
        "uid": "slack-sre", "name": "theirs", "type": "email",
        "settings": {"addresses": "a@b.c"}}).ok
    dry = apply_grafana(client, out_dir / "grafana" / "api", Options(), ENVIRON, dry_run=True)
    real = _apply(client, out_dir)
    assert dry.plan.counts() == real.plan.counts()
    assert dry.plan.counts()["blocked"] == 3
    assert sorted(o.change.key for o in real.outcomes if o.result == "blocked") == [
        "checkout-slo", "slack-sre", "slo-checkout"]
