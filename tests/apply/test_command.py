"""`slogen apply` end to end against the emulator: output, exit codes, secrets never shown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.apply.client import ApplyError, HttpClient, RetryPolicy
from generator.apply.secrets import placeholders
from generator.cli import main
from generator.validate.processes import free_port
from tests.apply.conftest import ENVIRON
from tests.conftest import ROOT, SPECS_DIR
from tests.grafana_emulator import Emulator, Fault


@pytest.fixture
def grafana_env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator) -> Emulator:
    """Environment a CI job would set for `slogen apply`."""
    monkeypatch.setenv("GRAFANA_URL", emulator.url)
    monkeypatch.setenv("GRAFANA_TOKEN", emulator.token)
    monkeypatch.setenv("GRAFANA_ORG_ID", "1")
    monkeypatch.setenv("GRAFANA_DISABLE_PROVENANCE", "false")  # don't read the specs each run
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    return emulator


def test_apply_then_reapply(grafana_env: Emulator, out_dir: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--out", str(out_dir)]) == 0
    first = capsys.readouterr()
    assert "+ dashboard checkout-slo" in first.out
    assert "apply: 11 created, 1 updated, 0 unchanged, 0 deleted, 0 failed, 0 blocked" in first.out
    grafana_env.reset_log()
    assert main(["apply", "--out", str(out_dir)]) == 0
    second = capsys.readouterr()
    assert "apply: 0 created, 0 updated, 12 unchanged" in second.out
    assert grafana_env.writes() == []
    for secret in [*ENVIRON.values(), grafana_env.token]:
        assert secret not in first.out + first.err + second.out + second.err


def test_json_output_and_dry_run(grafana_env: Emulator, out_dir: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--out", str(out_dir), "--dry-run", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["format"], doc["command"], doc["exit_code"]) == ("slogen-cli/v1", "apply", 0)
    data = doc["data"]["grafana"]
    assert data["counts"] == {"blocked": 0, "create": 11, "delete": 0, "unchanged": 0,
                              "update": 1, "drifted": 0}
    assert {"kind": "datasource", "key": "pg-orders", "action": "create",
            "file": "datasources/pg-orders.json", "reason": ""} in data["changes"]
    assert grafana_env.writes() == []


def test_wrong_token_is_a_clear_auth_error(grafana_env: Emulator, out_dir: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAFANA_TOKEN", "glsa_revoked-secret")
    assert main(["apply", "--out", str(out_dir)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("slogen: authentication failed: list templates: "
                          "GET /api/v1/provisioning/templates -> 401")
    assert "glsa_revoked-secret" not in err


def test_a_missing_secret_names_the_variable_only(grafana_env: Emulator, out_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("PG_PASSWORD")
    assert main(["apply", "--out", str(out_dir)]) == 1
    out = capsys.readouterr().out
    assert ("failed datasource pg-orders: environment variable PG_PASSWORD is not set "
            "(needed for placeholder ${env:PG_PASSWORD})") in out


def _reference_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stand-in values for every placeholder in the reference output; the secrets root."""
    secrets = tmp_path / "secrets"
    found: set[str] = set()
    for path in (ROOT / "out" / "grafana" / "api").rglob("*.json"):
        found |= placeholders(json.loads(path.read_text()))
    for placeholder in found:
        kind, name = placeholder[2:-1].split(":", 1)
        if kind == "env":
            monkeypatch.setenv(name, "not-a-real-secret")
        else:
            target = secrets / name.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("https://example.invalid/not-a-real-secret\n")
    return secrets


def test_the_reference_output_applies_and_settles(grafana_env: Emulator, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    secrets = _reference_secrets(tmp_path, monkeypatch)
    args = ["apply", "--out", str(ROOT / "out"), "--secrets-root", str(secrets)]
    assert main(args) == 0, capsys.readouterr()
    dashboards = len(list((ROOT / "out" / "grafana" / "provisioning" / "dashboards")
                          .rglob("*.json")))
    grafana_env.reset_log()
    assert main(args) == 0
    assert grafana_env.writes() == []
    # The full refresh: eight list calls, a search for the declared dashboards and one read
    # per dashboard.
    assert len(grafana_env.log) == 9 + dashboards, [e.path for e in grafana_env.log]
    grafana_env.reset_log()
    assert main([*args, "--refresh", "markers"]) == 0
    assert grafana_env.writes() == []
    assert len(grafana_env.log) <= 5


def test_a_rejected_rule_group_points_at_its_spec(grafana_env: Emulator, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    secrets = _reference_secrets(tmp_path, monkeypatch)
    group = "devdiag-alerts/rule-groups/devdiag-learning"
    grafana_env.inject(Fault("PUT", f"/api/v1/provisioning/folder/{group}", 400,
                             body={"message": "invalid alert rule: injected"}))
    assert main(["apply", "--out", str(ROOT / "out"), "--secrets-root", str(secrets),
                 "--specs", str(SPECS_DIR)]) == 1
    assert ("failed rule-group devdiag-alerts/devdiag-learning: rule-groups/devdiag-alerts/"
            "devdiag-learning.json: rule-group devdiag-alerts/devdiag-learning: PUT "
            f"/api/v1/provisioning/folder/{group} -> 400: invalid alert rule: injected "
            "(declared at slos/devdiag.yaml:") in capsys.readouterr().out


def test_settings_from_a_config_file(emulator: Emulator, out_dir: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("GRAFANA_URL", "GRAFANA_TOKEN", "GRAFANA_ORG_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in ENVIRON.items():
        monkeypatch.setenv(name, value)
    token = tmp_path / "token"
    token.write_text(emulator.token + "\n")
    config = tmp_path / "apply.yaml"
    config.write_text(f"grafana_url: {emulator.url}\norg_id: 1\ntoken_file: {token}\n")
    assert main(["apply", "--out", str(out_dir), "--config", str(config)]) == 0
    assert len(emulator.state.dashboards) == 2
    captured = capsys.readouterr()
    assert emulator.token not in captured.out + captured.err


def test_nothing_configured_is_a_usage_error(out_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GRAFANA_URL", raising=False)
    assert main(["apply", "--out", str(out_dir)]) == 2
    assert "nothing to apply to" in capsys.readouterr().err


def test_dry_run_shows_a_diff_of_each_update(grafana_env: Emulator, out_dir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--out", str(out_dir)]) == 0
    api = out_dir / "grafana" / "api"
    for rel, old, new in [("folders/slo-checkout.json", "Checkout SLOs", "Checkout"),
                          ("dashboards/checkout-slo.json", "Checkout SLO", "Checkout v2")]:
        path = api / rel
        path.write_text(path.read_text().replace(f'"{old}"', f'"{new}"'))
    capsys.readouterr()
    assert main(["apply", "--out", str(out_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert '~ folder slo-checkout  (folders/slo-checkout.json)\n' in out
    assert '\n    -  "title": "Checkout SLOs",\n    +  "title": "Checkout",\n' in out
    assert '\n    -    "title": "Checkout SLO",\n    +    "title": "Checkout v2",\n' in out
    assert "plan: 0 to create, 2 to update, 10 unchanged, 0 to delete, 0 blocked" in out


def test_provenance_follows_the_specs_unless_set(grafana_env: Emulator, out_dir: Path,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    specs = tmp_path / "slos"
    shutil.copytree(SPECS_DIR, specs)
    global_spec = specs / "_global.yaml"
    global_spec.write_text(global_spec.read_text().replace(
        "\ngrafana:\n", "\ngrafana:\n  disable_provenance: true\n", 1))
    monkeypatch.delenv("GRAFANA_DISABLE_PROVENANCE")
    assert main(["apply", "--out", str(out_dir), "--specs", str(specs)]) == 0
    assert {r["provenance"] for r in grafana_env.state.rules.values()} == {""}


def test_json_output_after_an_apply_has_results_and_totals(
        grafana_env: Emulator, out_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--out", str(out_dir), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["data"]["grafana"]
    assert data["summary"] == {"blocked": 0, "created": 11, "deleted": 0, "failed": 0,
                               "unchanged": 0, "updated": 1}
    assert {"kind": "policy", "key": "policies", "action": "update", "file": "policies.json",
            "reason": "", "result": "updated", "message": ""} in data["results"]


def test_a_url_without_a_scheme_is_a_usage_error(grafana_env: Emulator, out_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAFANA_URL", "127.0.0.1:3000")
    assert main(["apply", "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert err == ("slogen: Grafana URL (--grafana-url, GRAFANA_URL): '127.0.0.1:3000' is not an "
                   "http(s) URL with a host, e.g. http://127.0.0.1:3000\n")


def test_an_org_id_that_is_not_a_number_is_a_usage_error(
        grafana_env: Emulator, out_dir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GRAFANA_ORG_ID", "main")
    assert main(["apply", "--out", str(out_dir)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_an_unreachable_grafana_is_one_line_naming_the_url(
        grafana_env: Emulator, out_dir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://user:hidden-password@127.0.0.1:{free_port()}"
    monkeypatch.setenv("GRAFANA_URL", url)
    assert main(["apply", "--out", str(out_dir)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"GET {url.replace('user:hidden-password@', '')}/api/v1/provisioning/templates" in err
    assert "failed after 5 attempts (last: ConnectionError: connection refused)" in err
    assert "hidden-password" not in err


def test_retries_are_announced_to_whoever_listens() -> None:
    told: list[str] = []
    client = HttpClient(f"http://127.0.0.1:{free_port()}",
                        retry=RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.001),
                        on_retry=told.append)
    with pytest.raises(ApplyError):
        client.call("GET", "/api/folders")
    assert len(told) == 2
    assert told[0].startswith("GET http://127.0.0.1:")
    assert "connection refused; retrying in" in told[0] and "(attempt 2 of 3)" in told[0]


def test_force_rewrites_everything_and_exits_0(grafana_env: Emulator, out_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--out", str(out_dir)]) == 0
    capsys.readouterr()
    assert main(["apply", "--out", str(out_dir), "--force"]) == 0
    assert "0 failed, 0 blocked" in capsys.readouterr().out


def test_an_edit_in_grafana_is_shown_as_drift_and_restored(
        grafana_env: Emulator, out_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--out", str(out_dir)]) == 0
    with grafana_env.lock:
        grafana_env.state.folders["slo-checkout"]["title"] = "Renamed by hand"
    capsys.readouterr()
    assert main(["apply", "--out", str(out_dir), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "~ folder slo-checkout: drifted (edited in Grafana)" in out
    assert '-  "title": "Renamed by hand",' in out and '+  "title": "Checkout SLOs",' in out
    assert "1 to update (1 drifted)" in out
    assert main(["apply", "--out", str(out_dir)]) == 0
    assert grafana_env.state.folders["slo-checkout"]["title"] == "Checkout SLOs"
