"""The GitHub bridge opens one issue per alert group, comments on repeats, closes on resolve."""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import pytest
import requests

from generator.bridge import issue_text
from generator.bridge.github import GitHubClient, GitHubError, IssueBridge
from generator.bridge.issue_text import Notification
from generator.bridge.server import make_server
from tests.github_emulator import github_emulator


def _payload(status: str = "firing",
             group: str = '{}:{alertname="PoolExhaustion"}') -> dict[str, Any]:
    ends_at = "2025-09-29T13:00:00Z" if status == "resolved" else "0001-01-01T00:00:00Z"
    labels = {"alertname": "PoolExhaustion", "service": "hive", "severity": "critical",
              "alert_type": "predictive", "metric": "connection_pool_usage"}
    return {
        "version": "4", "groupKey": group, "status": status, "receiver": "github-issues",
        "groupLabels": {"alertname": "PoolExhaustion"}, "commonLabels": labels,
        "commonAnnotations": {"summary": "Pool of postgres_service predicted to be exhausted",
                              "predicted_breach": "2025-09-29T14:30:00Z (in 2h30m)",
                              "runbook_url": "https://runbooks.example.com/hive#pool"},
        "externalURL": "http://127.0.0.1:9093",
        "alerts": [{"status": status, "labels": labels, "annotations": {},
                    "startsAt": "2025-09-29T12:00:00Z",
                    "endsAt": ends_at}],
    }


def test_issue_text_carries_severity_labels_breach_time_and_marker() -> None:
    n = Notification.from_payload(_payload())
    assert issue_text.title(n) == "[CRITICAL] Predictive alert: PoolExhaustion on hive"
    assert issue_text.labels(n) == ["metric-connection_pool_usage", "predictive-alert",
                                    "service-hive", "severity-critical", "slogen-alert"]
    body = issue_text.body(n)
    assert "**Predicted breach:** 2025-09-29T14:30:00Z (in 2h30m)" in body
    assert "**Runbook:** https://runbooks.example.com/hive#pool" in body
    assert issue_text.group_marker(n.group_key) in body


@pytest.mark.parametrize("payload", [{}, {"groupKey": "x"}, {"groupKey": "x", "alerts": "no"}, []],
                         ids=["empty", "no alerts", "alerts not a list", "not an object"])
def test_non_alertmanager_payloads_are_rejected(payload: Any) -> None:
    with pytest.raises(ValueError):
        Notification.from_payload(payload)


def test_firing_repeat_resolve_cycle_against_emulator() -> None:
    with github_emulator() as (url, state):
        bridge = IssueBridge(GitHubClient(url, "acme/hive", "test-token", requests.Session()))
        assert bridge.handle(Notification.from_payload(_payload())) == "opened"
        assert bridge.handle(Notification.from_payload(_payload())) == "commented"
        assert bridge.handle(Notification.from_payload(_payload("resolved"))) == "closed"
        assert bridge.handle(Notification.from_payload(_payload("resolved"))) == "ignored"
        # A new episode of the same group opens a fresh issue rather than reopening history.
        assert bridge.handle(Notification.from_payload(_payload())) == "opened"
    assert [i["state"] for i in state.issues] == ["closed", "open"]
    assert state.comments[1][0].startswith("Still firing")
    assert state.comments[1][1].startswith("Resolved at 2025-09-29T13:00:00Z")


def test_different_groups_get_different_issues() -> None:
    with github_emulator() as (url, state):
        bridge = IssueBridge(GitHubClient(url, "acme/hive", "test-token", requests.Session()))
        bridge.handle(Notification.from_payload(_payload(group="a")))
        bridge.handle(Notification.from_payload(_payload(group="b")))
    assert len(state.issues) == 2


def test_bad_token_is_an_error_that_does_not_show_the_token() -> None:
    with github_emulator() as (url, _):
        bridge = IssueBridge(GitHubClient(url, "acme/hive", "wrong-secret", requests.Session()))
        with pytest.raises(GitHubError) as info:
            bridge.handle(Notification.from_payload(_payload()))
    assert "401" in str(info.value) and "wrong-secret" not in str(info.value)


def test_server_concurrent_notifications_open_one_issue_and_failures_are_5xx() -> None:
    with github_emulator() as (url, state):
        bridge = IssueBridge(GitHubClient(url, "acme/hive", "test-token", requests.Session()))
        server = make_server("127.0.0.1", 0, bridge)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            codes: list[int] = []

            def post() -> None:
                data = json.dumps(_payload()).encode()
                req = urllib.request.Request(f"{base}/alerts", data=data, method="POST",
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10) as resp:
                    codes.append(resp.status)

            workers = [threading.Thread(target=post) for _ in range(5)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            assert codes == [200] * 5
            assert len(state.issues) == 1 and len(state.comments[1]) == 4
            state.token = "rotated"  # the bridge's token is now wrong: Alertmanager must retry
            req = urllib.request.Request(f"{base}/alerts", data=json.dumps(_payload()).encode(),
                                         method="POST")
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(req, timeout=10)
            assert info.value.code == 502
        finally:
            server.shutdown()
            server.server_close()
