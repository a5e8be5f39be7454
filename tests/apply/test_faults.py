"""Injected faults (5xx, 429, timeouts, 409/412 races, auth) end in a converged Grafana."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from generator.apply.client import AuthError, Credentials, HttpClient, RetryPolicy, grafana_client
from generator.apply.grafana import apply_grafana
from generator.apply.plan import Action, Options
from tests.apply.conftest import ENVIRON, FAST_RETRY
from tests.grafana_emulator import Emulator, Fault

DASH = "/api/dashboards/db"
GROUP = "/api/v1/provisioning/folder/slo-payments/rule-groups/payments-slo"


def _apply(client: HttpClient, out: Path):  # type: ignore[no-untyped-def]
    return apply_grafana(client, out / "grafana" / "api", Options(), ENVIRON)


def _assert_converged(emulator: Emulator, client: HttpClient, out: Path) -> None:
    """Exactly the declared objects exist, and one more run writes nothing."""
    state = emulator.state
    assert sorted(state.dashboards) == ["checkout-slo", "payments-slo"]
    assert sorted(state.folders) == ["slo-checkout", "slo-payments"]
    assert len(state.rules) == 3
    assert sorted(state.contact_points) == ["default-email", "email-payments", "slack-sre"]
    assert sorted(state.datasources) == ["pg-orders", "prom-main"]
    emulator.reset_log()
    result = _apply(client, out)
    assert emulator.writes() == [], result.plan.changes
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}


@pytest.mark.parametrize("fault", [
    pytest.param(Fault("POST", DASH, 502, times=2), id="5xx on dashboard saves is retried"),
    pytest.param(Fault("GET", "/api/folders", 503), id="5xx on a read is retried"),
    pytest.param(Fault("GET", "/api/search", 503), id="5xx on the dashboard search is retried"),
    pytest.param(Fault("PUT", GROUP, 429, times=3), id="429 is retried"),
    pytest.param(Fault("POST", "/api/folders", 409, after_handling=True),
                 id="409 race on folder create"),
    pytest.param(Fault("POST", DASH, 412, after_handling=True,
                       body={"message": "The dashboard has been changed by someone else",
                             "status": "version-mismatch"}),
                 id="412 on one dashboard"),
    pytest.param(Fault("POST", "/api/datasources", 409, after_handling=True,
                       body={"message": "data source with the same uid already exists"}),
                 id="409 race on datasource create"),
    pytest.param(Fault("PUT", GROUP, 409, body={"message": "conflicting concurrent update"}),
                 id="409 optimistic-lock conflict on a rule group"),
    pytest.param(Fault("POST", "/api/v1/provisioning/contact-points", 502, after_handling=True),
                 id="lost response after a contact point was created"),
    pytest.param(Fault("POST", "/api/folders", 504, after_handling=True, times=2),
                 id="lost responses after a folder was created"),
])
def test_faults_converge_without_duplicates(emulator: Emulator, client: HttpClient,
                                            out_dir: Path, fault: Fault) -> None:
    emulator.inject(fault)
    result = _apply(client, out_dir)
    assert not result.failed, result.outcomes
    assert fault.times == 0
    _assert_converged(emulator, client, out_dir)


def test_a_5xx_on_a_parallel_read_is_retried(emulator: Emulator, client: HttpClient,
                                             out_dir: Path) -> None:
    assert not _apply(client, out_dir).failed
    fault = Fault("GET", "/api/dashboards/uid/checkout-slo", 503)
    emulator.inject(fault)
    _assert_converged(emulator, client, out_dir)
    assert fault.times == 0


def test_a_timeout_whose_write_landed_converges(emulator: Emulator, out_dir: Path) -> None:
    client = grafana_client(emulator.url, Credentials(token=emulator.token), 1,
                            RetryPolicy(attempts=4, base_delay=0.001, timeout=0.2))
    emulator.inject(Fault("POST", "/api/dashboards/db", None, delay=0.4))
    result = _apply(client, out_dir)
    assert not result.failed, result.outcomes
    time.sleep(0.5)  # the delayed first POST lands (and is logged) after the client gave up
    _assert_converged(emulator, client, out_dir)


def test_a_failure_midway_is_finished_by_the_next_run(emulator: Emulator, client: HttpClient,
                                                      out_dir: Path) -> None:
    emulator.inject(Fault("PUT", GROUP, 500, times=FAST_RETRY.attempts))
    first = _apply(client, out_dir)
    assert [(o.change.key, o.result) for o in first.outcomes if o.result != "created"
            and o.change.kind != "policy"] == [("slo-payments/payments-slo", "failed")]
    assert "payments-latency-page" not in emulator.state.rules
    assert not _apply(client, out_dir).failed
    _assert_converged(emulator, client, out_dir)


def test_a_bad_body_names_the_file_and_quotes_grafana(emulator: Emulator, client: HttpClient,
                                                      out_dir: Path) -> None:
    path = out_dir / "grafana" / "api" / "rule-groups" / "slo-payments" / "payments-slo.json"
    body = json.loads(path.read_text())
    body["rules"][0]["data"][0]["datasourceUid"] = "no-such-datasource"
    path.write_text(json.dumps(body))
    result = _apply(client, out_dir)
    [failed] = [o for o in result.outcomes if o.result == "failed"]
    assert failed.message == (
        "rule-groups/slo-payments/payments-slo.json: rule-group slo-payments/payments-slo: "
        f"PUT {GROUP} -> 400: invalid alert rule: "
        "failed to validate query A: data source not found")


@pytest.mark.parametrize("credentials, org", [
    pytest.param(Credentials(token="glsa_wrong"), 1, id="wrong token"),
    pytest.param(Credentials(user="admin", password="nope"), 1, id="wrong password"),
    pytest.param(Credentials(token="glsa_test-token"), 7, id="org the account is not in"),
    pytest.param(Credentials(token="glsa_viewer-token"), 1, id="token without write access"),
])
def test_auth_failures_stop_the_run(emulator: Emulator, out_dir: Path,
                                    credentials: Credentials, org: int) -> None:
    client = grafana_client(emulator.url, credentials, org, FAST_RETRY)
    with pytest.raises(AuthError, match="check the credentials"):
        _apply(client, out_dir)
    assert emulator.state.folders == {}


def test_basic_auth_works(emulator: Emulator, out_dir: Path) -> None:
    client = grafana_client(emulator.url, Credentials(user="admin", password="admin-password"),
                            1, FAST_RETRY)
    assert not _apply(client, out_dir).failed
    assert len(emulator.state.dashboards) == 2
