"""Edits made in the Grafana UI are seen by a plain apply, reported as drift, and restored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from rich.console import Console

from generator.apply.changes import DRIFTED, Refresh
from generator.apply.client import HttpClient
from generator.apply.grafana import apply_grafana
from generator.apply.plan import Action, Options, keys
from generator.apply.report import print_plan
from tests.apply.conftest import ENVIRON
from tests.grafana_emulator import Emulator, Fault

P = "/api/v1/provisioning"
GROUP = f"{P}/folder/slo-payments/rule-groups/payments-slo"


def _apply(client: HttpClient, out: Path, **options: Any) -> Any:
    return apply_grafana(client, out / "grafana" / "api", Options(**options), ENVIRON)


def _ui(emulator: Emulator, method: str, path: str, body: Any = None) -> Any:
    """What an edit in the Grafana UI does (the UI saves alerting objects without provenance)."""
    response = requests.request(method, emulator.url + path, json=body, timeout=5, headers={
        "Authorization": f"Bearer {emulator.token}", "X-Disable-Provenance": "true"})
    assert response.ok, response.text
    return response.json() if response.content else None


def _cut_panels(emu: Emulator) -> None:
    now = _ui(emu, "GET", "/api/dashboards/uid/checkout-slo")
    now["dashboard"]["panels"] = [{**now["dashboard"]["panels"][0], "title": "Only this"}]
    _ui(emu, "POST", "/api/dashboards/db", {"dashboard": now["dashboard"],
                                             "folderUid": "slo-checkout", "overwrite": True})


def _move_dashboard(emu: Emulator) -> None:
    now = _ui(emu, "GET", "/api/dashboards/uid/checkout-slo")
    _ui(emu, "POST", "/api/dashboards/db", {"dashboard": now["dashboard"],
                                             "folderUid": "slo-payments", "overwrite": True})


def _rule_for(emu: Emulator) -> None:
    group = _ui(emu, "GET", GROUP)
    group["rules"][0]["for"] = "1h"
    _ui(emu, "PUT", GROUP, group)


def _group_interval(emu: Emulator) -> None:
    group = _ui(emu, "GET", GROUP)
    _ui(emu, "PUT", GROUP, {**group, "interval": 300})


def _rule_label(emu: Emulator) -> None:
    group = _ui(emu, "GET", GROUP)
    group["rules"][0]["labels"]["severity"] = "info"
    _ui(emu, "PUT", GROUP, group)


def _folder_title(emu: Emulator) -> None:
    _ui(emu, "PUT", "/api/folders/slo-checkout", {"title": "Renamed in UI", "overwrite": True})


def _datasource_url(emu: Emulator) -> None:
    now = _ui(emu, "GET", "/api/datasources/uid/prom-main")
    server = ("id", "orgId", "readOnly", "secureJsonFields")
    body = {k: v for k, v in now.items() if k not in server}
    _ui(emu, "PUT", "/api/datasources/uid/prom-main", {**body, "url": "http://elsewhere:9090"})


def _contact_point(emu: Emulator) -> None:
    [point] = [p for p in _ui(emu, "GET", f"{P}/contact-points") if p["uid"] == "email-payments"]
    point["settings"]["addresses"] = "someone-else@example.com"
    _ui(emu, "PUT", f"{P}/contact-points/email-payments", point)


def _policy_tree(emu: Emulator) -> None:
    tree = _ui(emu, "GET", f"{P}/policies")
    tree["group_wait"] = "5m"
    _ui(emu, "PUT", f"{P}/policies", tree)


def _template(emu: Emulator) -> None:
    _ui(emu, "PUT", f"{P}/templates/slogen", {
        "template": '{{ define "slogen.title" }}edited{{ end }}'})


EDITS: list[Any] = [
    pytest.param(_cut_panels, "dashboard checkout-slo", id="dashboard panels cut"),
    pytest.param(_move_dashboard, "dashboard checkout-slo", id="dashboard moved to a folder"),
    pytest.param(_rule_for, "rule-group slo-payments/payments-slo", id="rule for changed"),
    pytest.param(_group_interval, "rule-group slo-payments/payments-slo",
                 id="group interval changed"),
    pytest.param(_rule_label, "rule-group slo-payments/payments-slo", id="rule label changed"),
    pytest.param(_folder_title, "folder slo-checkout", id="folder renamed"),
    pytest.param(_datasource_url, "datasource prom-main", id="datasource url changed"),
    pytest.param(_contact_point, "contact-point email-payments", id="contact point edited"),
    pytest.param(_policy_tree, "policy policies", id="policy tree edited"),
    pytest.param(_template, "template slogen", id="template edited"),
]


@pytest.mark.parametrize("edit, label", EDITS)
def test_an_edit_in_grafana_is_reported_and_restored(
        emulator: Emulator, client: HttpClient, out_dir: Path,
        edit: Callable[[Emulator], None], label: str) -> None:
    assert not _apply(client, out_dir, disable_provenance=True).failed
    before = {kind: dict(getattr(emulator.state, kind)) for kind in ("dashboards", "rules")}
    edit(emulator)
    dry = apply_grafana(client, out_dir / "grafana" / "api",
                        Options(disable_provenance=True), ENVIRON, dry_run=True)
    assert [f"{c.kind} {c.key}" for c in dry.plan.changes if c.drifted] == [label]
    console = Console(record=True, width=120)
    print_plan(console, dry.plan)
    text = console.export_text()
    assert f"~ {label}: {DRIFTED}" in text
    assert "-" in text.split(DRIFTED, 1)[1]  # a diff follows
    result = _apply(client, out_dir, disable_provenance=True)
    assert not result.failed, result.outcomes
    assert result.plan.counts() == dry.plan.counts()
    emulator.reset_log()
    settled = _apply(client, out_dir, disable_provenance=True)
    assert emulator.writes() == []
    assert {c.action for c in settled.plan.changes} == {Action.UNCHANGED}
    for uid, dash in before["dashboards"].items():
        assert emulator.state.dashboards[uid]["dashboard"]["panels"] == dash["dashboard"][
            "panels"]
        assert emulator.state.dashboards[uid]["folderUid"] == dash["folderUid"]
    assert {u: r["for"] for u, r in emulator.state.rules.items()} == {
        u: r["for"] for u, r in before["rules"].items()}


def test_the_markers_refresh_is_blind_to_edits_in_grafana(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir, disable_provenance=True)
    _cut_panels(emulator)
    blind = _apply(client, out_dir, disable_provenance=True, refresh=Refresh.MARKERS)
    assert keys(blind.plan.changes, Action.UPDATE) == []
    assert emulator.state.dashboards["checkout-slo"]["dashboard"]["panels"][0]["title"] == (
        "Only this")


def test_a_changed_spec_is_an_update_not_drift(emulator: Emulator, client: HttpClient,
                                               out_dir: Path) -> None:
    _apply(client, out_dir)
    path = out_dir / "grafana" / "api" / "folders" / "slo-checkout.json"
    path.write_text(path.read_text().replace("Checkout SLOs", "Checkout objectives"))
    result = _apply(client, out_dir)
    [change] = [c for c in result.plan.changes if c.action is Action.UPDATE]
    assert (change.key, change.drifted) == ("slo-checkout", False)
    assert emulator.state.folders["slo-checkout"]["title"] == "Checkout objectives"


def test_fields_grafana_adds_to_a_dashboard_are_not_drift(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    with emulator.lock:  # what a newer Grafana returns after migrating a saved model
        for dash in emulator.state.dashboards.values():
            dash["dashboard"].update(fiscalYearStartMonth=0, graphTooltip=1, weekStart="monday")
    emulator.reset_log()
    result = _apply(client, out_dir)
    assert emulator.writes() == []
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}


def test_a_grafana_without_the_rule_export_still_plans(
        emulator: Emulator, client: HttpClient, out_dir: Path) -> None:
    _apply(client, out_dir)
    emulator.inject(Fault("GET", f"{P}/alert-rules/export", 405,
                          body={"message": "Method Not Allowed"}))
    result = _apply(client, out_dir)
    assert not result.failed
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}


def test_secure_settings_left_out_of_answers_are_not_drift(
        emulator: Emulator, client: HttpClient, out_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.grafana_emulator import notifications

    _apply(client, out_dir)

    def without_secrets(point: dict[str, Any]) -> dict[str, Any]:
        secure = notifications.SECURE_SETTINGS.get(point["type"], ())
        return {**point, "settings": {k: v for k, v in point["settings"].items()
                                      if k not in secure}}

    monkeypatch.setattr(notifications, "_redacted", without_secrets)
    emulator.reset_log()
    result = _apply(client, out_dir)
    assert emulator.writes() == []
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}
