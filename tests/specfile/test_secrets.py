"""Inline secrets: planted in every string of the reference specs, each is refused where it is
written, never echoed, and no generated file holds it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import cli
from generator.core.errors import SpecErrors
from generator.specfile.loader import load_specs
from generator.specfile.yamlread import parse_yaml
from tests.conftest import SPECS_DIR

SECRETS = {
    "password URL": "postgresql://admin:hunter2pw@db.example.com/devdiag",
    "mysql URL": "mysql://root:Rootpw99@127.0.0.1:3306/test",
    "Slack webhook": "https://hooks.slack.com/services/T0000AAAA/B0000BBBB/XXXXXXXXXXXXXXXXXXXXXXXX",
    "PagerDuty integration": "https://events.pagerduty.com/integration/e93facc04764012d7bfb00250"
                             "0d5d1a6/enqueue",
    "PagerDuty routing key param": "https://events.pagerduty.com/v2/enqueue?routing_key=R0uting"
                                   "Key0123456789abcdef",
    "Discord webhook": "https://discord.com/api/webhooks/123456789012/AbCdEfGhIjKlMnOpQrStUvWx",
    "Teams webhook": "https://contoso.webhook.office.com/webhookb2/0a1b2c3d@e4f5/IncomingWebhook/"
                     "9f8e7d6c/11aa22bb",
    "Slack token": "xoxb-123456789012-abcdefghijklmnop",
    "GitHub token": "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    "AWS key": "AKIAIOSFODNN7EXAMPLE",
    "token parameter": "https://alerts.example.com/hook?token=s3cr3tT0kenValue",
    "bearer": "Bearer abc123def456ghi789jkl",
    "DSN password": "host=db.example.com user=app password=Sup3rS3cretDsn",
    "private key": "-----BEGIN RSA PRIVATE KEY-----MIIEpAIBAAKCAQEA",
}


def _strings(data: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _strings(v, (*loc, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _strings(v, (*loc, i))]
    return [loc] if isinstance(data, str) else []


def _plant(data: Any, secret: str) -> Any:
    """Every string replaced by `secret`, and a literal `password`/`token` in every mapping."""
    if isinstance(data, dict):
        out = {k: _plant(v, secret) for k, v in data.items()}
        return out
    if isinstance(data, list):
        return [_plant(v, secret) for v in data]
    return secret if isinstance(data, str) else data


def _planted_dir(tmp_path: Path, secret: str) -> tuple[Path, int]:
    spec_dir = tmp_path / "slos"
    shutil.copytree(SPECS_DIR, spec_dir)
    count = 0
    for path in sorted(spec_dir.glob("*.yaml")):
        data, _ = parse_yaml(path.read_text(encoding="utf-8"), path.name)
        data = _plant(data, secret)
        data["version"] = "slogen/v1"
        count += len(_strings(data)) - 1
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return spec_dir, count


def _out_dir(tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "out"
    (out / "prometheus").mkdir(parents=True)
    (out / "prometheus" / "keep.yaml").write_text("groups: []\n", encoding="utf-8")
    return {str(p): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.mark.parametrize("secret", list(SECRETS.values()), ids=list(SECRETS))
def test_secret_planted_in_every_string_is_refused_everywhere(
        tmp_path: Path, secret: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec_dir, planted = _planted_dir(tmp_path, secret)
    before = _out_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["generate", "--specs", "slos", "--out", "out", "--skip-checks"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_SPEC
    refused = [line for line in err.splitlines() if "is written in the spec" in line]
    assert len(refused) == planted
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in refused)
    for fragment in _fragments(secret):
        assert fragment not in err
    after = {str(p): p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert after == before
    for content in after.values():
        for planted_secret in SECRETS.values():
            for fragment in _fragments(planted_secret):
                assert fragment.encode() not in content
    assert spec_dir.is_dir()


def _fragments(secret: str) -> list[str]:
    """The parts of a planted secret that must not appear anywhere."""
    for marker in ("hunter2pw", "Rootpw99", "XXXXXXXXXXXXXXXXXXXXXXXX", "e93facc04764012d",
                   "R0utingKey", "AbCdEfGhIj", "IncomingWebhook/9f8e", "abcdefghijklmnop",
                   "aBcDeFgHiJkLmNoP", "IOSFODNN7", "s3cr3tT0ken", "abc123def456",
                   "Sup3rS3cret", "MIIEpAIBAAKCAQEA"):
        if marker in secret:
            return [marker]
    raise AssertionError(f"no marker for {secret}")


@pytest.mark.parametrize(("key", "place"), [
    ("password", "grafana.datasources[0]"), ("api_url", "receivers[0].slack"),
    ("routing_key", "receivers[0].pagerduty"), ("token", "receivers[0].webhook"),
    ("auth_password", "receivers[0].email"), ("api_key", "alerts[0]"),
])
def test_secret_named_keys_with_literal_values_point_to_the_file_or_env_form(
        tmp_path: Path, key: str, place: str) -> None:
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    receivers = {
        "slack": "{channel: '#a', api_url_file: /s/f, %s: Zx9secretvalue}",
        "pagerduty": "{routing_key_file: /s/f, %s: Zx9secretvalue}",
        "webhook": "{url: 'https://h.example.com/', %s: Zx9secretvalue}",
        "email": "{to: a@b.c, from: a@b.c, smarthost: 'h:25', %s: Zx9secretvalue}",
    }
    kind = place.split(".")[-1]
    lines = ["version: slogen/v1"]
    if kind in receivers:
        lines += ["receivers:", f"  - name: r\n    {kind}: " + receivers[kind] % key]
    elif place.startswith("grafana"):
        lines += ["grafana:", "  datasources:",
                  f"    - {{uid: p, name: p, type: postgres, url: 'h:5432', "
                  f"{key}: Zx9secretvalue}}"]
    (spec_dir / "_global.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if place.startswith("alerts"):
        (spec_dir / "svc.yaml").write_text(
            "version: slogen/v1\nservice: svc\nteam: t\nalerts:\n"
            f"  - {{name: A, expr: up, below: 1, {key}: Zx9secretvalue}}\n", encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_specs(spec_dir, tmp_path)
    errors = [str(e) for e in caught.value.errors]
    assert len(errors) == 1, errors
    assert f"{place}.{key}: a secret is written in the spec; " in errors[0]
    assert "Zx9secretvalue" not in errors[0]
    hint = {"datasources[0]": "password_env", "slack": "api_url_file",
            "pagerduty": "routing_key_file", "webhook": "credentials_file",
            "email": "auth_password_file", "alerts[0]": "*_file"}[place.split(".")[-1]]
    assert hint in errors[0]


@pytest.mark.parametrize("text", [
    "postgresql://app:${DB_PASSWORD}@db/devdiag", "${DEVDIAG_DB_URL}",
    "https://runbooks.example.com/checkout?tab=alerts", "sum(rate(x{code=~'5..'}[5m]))",
    "Token bucket refill is slow", "password reset emails fail", "Bearer authentication fails",
])
def test_references_and_prose_are_not_secrets(tmp_path: Path, text: str) -> None:
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    quoted = text.replace("'", "''")
    (spec_dir / "_global.yaml").write_text(
        f"version: slogen/v1\ndatabases:\n  main: {{url: '{quoted}'}}\n", encoding="utf-8")
    (spec_dir / "svc.yaml").write_text(
        f"version: slogen/v1\nservice: svc\nteam: t\ndescription: '{quoted}'\n"
        "labels: {routing_key: pager}\n", encoding="utf-8")
    load_specs(spec_dir, tmp_path)
