"""Grafana folders and datasources: HTTP API bodies and the datasource provisioning file.

Secrets never reach out/: an API body carries `${env:NAME}`, which `slogen apply` substitutes at
push time; a provisioning file carries `$__env{NAME}`, which Grafana expands when it reads it.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from generator.core import model as m
from generator.core.durations import format_duration
from generator.targets.dump import json_text, yaml_text

API = PurePath("grafana") / "api"
PROVISIONING = PurePath("grafana") / "provisioning"
ORG_ID = 1
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def sorted_keys(data: Any) -> Any:
    """The same data with every mapping's keys sorted, for stable YAML diffs."""
    if isinstance(data, dict):
        return {k: sorted_keys(data[k]) for k in sorted(data)}
    if isinstance(data, list):
        return [sorted_keys(v) for v in data]
    return data


def api_secret(env: str) -> str:
    """Placeholder for a secret in an API body, substituted by `slogen apply`."""
    return "${env:" + env + "}"


def file_secret(env: str) -> str:
    """Placeholder for a secret in a provisioning file, expanded by Grafana itself."""
    return "$__env{" + env + "}"


def _json_data(ds: m.Datasource, model: m.Model) -> dict[str, Any]:
    """Type-specific settings Grafana keeps in jsonData."""
    if ds.type is m.DatasourceType.PROMETHEUS:
        return {"httpMethod": "POST",
                "timeInterval": format_duration(model.prometheus.scrape_interval)}
    data: dict[str, Any] = {"database": ds.database or ""}
    if ds.type is m.DatasourceType.POSTGRES:
        # TLS is required unless the server is on loopback, where there is no network to protect.
        loopback = ds.url.split("//")[-1].startswith(_LOOPBACK_HOSTS)
        data |= {"sslmode": "disable" if loopback else "require", "postgresVersion": 1500,
                 "timescaledb": False}
    return data


def _datasource(ds: m.Datasource, model: m.Model, secret: str | None) -> dict[str, Any]:
    """Fields shared by the API body and the provisioning entry."""
    body: dict[str, Any] = {
        "uid": ds.uid, "name": ds.name, "type": ds.type.value, "access": "proxy", "url": ds.url,
        "isDefault": ds.uid == model.grafana.default_datasource,
        "jsonData": _json_data(ds, model),
    }
    if ds.user is not None:
        body["user"] = ds.user
    if ds.database is not None:
        body["database"] = ds.database  # older Grafana reads the top-level field
    if ds.password_env is not None and secret is not None:
        body["secureJsonData"] = {"password": secret}
    return body


def datasource_body(ds: m.Datasource, model: m.Model) -> dict[str, Any]:
    """Body of POST /api/datasources."""
    secret = api_secret(ds.password_env) if ds.password_env else None
    return _datasource(ds, model, secret) | {"basicAuth": False}


def _provisioned_datasource(ds: m.Datasource, model: m.Model) -> dict[str, Any]:
    secret = file_secret(ds.password_env) if ds.password_env else None
    return _datasource(ds, model, secret) | {"orgId": ORG_ID, "editable": False}


def folder_body(folder: m.Folder) -> dict[str, Any]:
    """Body of POST /api/folders."""
    return {"uid": folder.uid, "title": folder.title}


def render(model: m.Model) -> dict[PurePath, str]:
    """Folder and datasource API bodies plus the datasource provisioning file."""
    files: dict[PurePath, str] = {}
    for folder in model.grafana.folders:
        files[API / "folders" / f"{folder.uid}.json"] = json_text(folder_body(folder))
    for ds in model.grafana.datasources:
        files[API / "datasources" / f"{ds.uid}.json"] = json_text(datasource_body(ds, model))
    provisioned = {"apiVersion": 1,
                   "datasources": [_provisioned_datasource(ds, model)
                                   for ds in model.grafana.datasources]}
    path = PROVISIONING / "datasources" / "slogen.yaml"
    files[path] = yaml_text(sorted_keys(provisioned), [model.global_file])
    return files
