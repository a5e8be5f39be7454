"""Validate Grafana request bodies and provisioning files against Grafana's OpenAPI spec.

The spec (Swagger 2.0, `basePath: /api`) is a trimmed copy of Grafana's merged OpenAPI spec in
`tests/testdata/grafana/openapi-trimmed.json` (its `x-slogen-source` key says where it comes
from; `scripts/trim_grafana_openapi.py` makes it). It disagrees with what Grafana accepts on the
wire in a few places, so the definitions are patched before use (`_patch_wire_format`), and a
few rules the server enforces but the schema cannot express are checked on top
(`_SEMANTIC_CHECKS`).

Objects that declare `properties` are closed here (unknown keys are errors): Grafana ignores
unknown keys silently, which is how `folderUid` on a rule (instead of `folderUID`) goes unnoticed.

Use `load_grafana_spec()` (or the `grafana_spec` fixture), then
`spec.validate_body("AlertRuleGroup", body)` or `spec.validate_request("PUT", path, body)`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from tests.conftest import ROOT

SPEC_PATH = ROOT / "tests" / "testdata" / "grafana" / "openapi-trimmed.json"
BASE_PATH = "/api"

# Go/Prometheus duration as Grafana parses it on the wire: "5m", "1h30m", "0s", "500ms".
DURATION_STRING = {"type": "string",
                   "pattern": r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d|w|y))+)$"}
SECONDS = {"type": "integer", "minimum": 0}
EXPR_DATASOURCE = "__expr__"
SCHEDULER_BASE_INTERVAL_S = 10
# Keys of the documented provisioning file format that the export definitions lack.
_FILE_ONLY_TOP_LEVEL = {
    "deleteRules": {"type": "array", "items": {"type": "object", "required": ["uid"],
                                               "properties": {"orgId": {"type": "integer"},
                                                              "uid": {"type": "string"}}}},
    "deleteContactPoints": {"type": "array", "items": {"type": "object", "required": ["uid"],
                                                       "properties": {"orgId": {"type": "integer"},
                                                                      "uid": {"type": "string"}}}},
    "resetPolicies": {"type": "array", "items": {"type": "integer"}},
    "templates": {"type": "array", "items": {
        "type": "object", "required": ["name", "template"],
        "properties": {"orgId": {"type": "integer"}, "name": {"type": "string"},
                       "template": {"type": "string"}}}},
    "deleteTemplates": {"type": "array", "items": {
        "type": "object", "required": ["name"],
        "properties": {"orgId": {"type": "integer"}, "name": {"type": "string"}}}},
}


# Provisioning files that are not in the OpenAPI spec, written from Grafana's provisioning docs
# (administration/provisioning): the dashboard provider file and the datasource file.
_STR, _BOOL, _INT = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}
PROVISIONING_SCHEMAS: Mapping[str, Any] = {
    "dashboards": {
        "type": "object", "required": ["apiVersion", "providers"], "additionalProperties": False,
        "properties": {"apiVersion": {"enum": [1]}, "providers": {"type": "array", "items": {
            "type": "object", "required": ["name", "options"], "additionalProperties": False,
            "properties": {
                "name": _STR, "orgId": _INT, "folder": _STR, "folderUid": _STR,
                "type": {"enum": ["file"]}, "disableDeletion": _BOOL, "allowUiUpdates": _BOOL,
                "updateIntervalSeconds": _INT,
                "options": {"type": "object", "required": ["path"], "additionalProperties": False,
                            "properties": {"path": _STR, "foldersFromFilesStructure": _BOOL}},
            }}}},
    },
    "datasources": {
        "type": "object", "required": ["apiVersion"], "additionalProperties": False,
        "properties": {
            "apiVersion": {"enum": [1]}, "prune": _BOOL,
            "deleteDatasources": {"type": "array", "items": {
                "type": "object", "required": ["name"], "additionalProperties": False,
                "properties": {"name": _STR, "orgId": _INT}}},
            "datasources": {"type": "array", "items": {
                "type": "object", "required": ["name", "type"], "additionalProperties": False,
                "properties": {
                    "name": _STR, "type": _STR, "uid": _STR, "orgId": _INT, "url": _STR,
                    "access": {"enum": ["proxy", "direct"]}, "user": _STR, "database": _STR,
                    "basicAuth": _BOOL, "basicAuthUser": _STR, "withCredentials": _BOOL,
                    "isDefault": _BOOL, "version": _INT, "editable": _BOOL,
                    "jsonData": {"type": "object"},
                    "secureJsonData": {"type": "object", "additionalProperties": _STR},
                }}},
        },
    },
}


def validate_provisioning(kind: str, document: Any) -> None:
    """Check a dashboards or datasources provisioning file against its documented format."""
    validator = jsonschema.Draft7Validator(PROVISIONING_SCHEMAS[kind])
    problems = sorted(f"{_format_path(e.absolute_path)}: {e.message}"
                      for e in validator.iter_errors(document))
    if problems:
        raise GrafanaSchemaError(f"{kind} provisioning file: " + "\n  ".join(
            ["invalid", *problems]))


class GrafanaSchemaError(AssertionError):
    """A body does not match its Grafana definition; the message lists every problem."""


def _patch_wire_format(defs: dict[str, Any]) -> None:
    """Rewrite the definitions where the spec and Grafana's wire format disagree."""
    # `for` is sent as a duration string; the spec says int64 nanoseconds (Go's time.Duration).
    defs["ProvisionedAlertRule"]["properties"]["for"] = DURATION_STRING
    defs["AlertRuleExport"]["properties"]["for"] = DURATION_STRING
    # relativeTimeRange from/to are integer seconds before now, not nanoseconds.
    defs["RelativeTimeRange"]["properties"] = {"from": SECONDS, "to": SECONDS}
    defs["RelativeTimeRangeExport"]["properties"] = {"from": SECONDS, "to": SECONDS}
    # The group interval: int seconds over HTTP, a duration string in files.
    defs["AlertRuleGroup"]["properties"]["interval"] = {"type": "integer", "minimum": 1}
    defs["AlertRuleGroupExport"]["properties"]["interval"] = DURATION_STRING
    # The file format spells it dashboardUid; the export struct's JSON tag has a typo.
    rule_export = defs["AlertRuleExport"]["properties"]
    rule_export["dashboardUid"] = rule_export.pop("dasboardUid")
    # A query model is free-form JSON; the generator closed it by mistake.
    defs["AlertQueryExport"]["properties"]["model"] = {"type": "object"}
    # The contact point enum carries leading spaces, an artifact of the spec generator.
    cp_type = defs["EmbeddedContactPoint"]["properties"]["type"]
    cp_type["enum"] = sorted({value.strip() for value in cp_type["enum"]})
    # Alertmanager matchers marshal as strings (`team="sre"`), object matchers as 3-tuples.
    defs["Matchers"] = {"type": "array", "items": {"type": "string"}}
    defs["ObjectMatcher"] = {"type": "array", "items": {"type": "string"},
                             "minItems": 3, "maxItems": 3}
    defs["RawMessage"] = {"type": "object"}
    # Two Go types named TimeInterval collided in the generator: a mute timing's entries are
    # really items (times, weekdays, location ...), not nested named intervals.
    for name in ("MuteTimeInterval", "MuteTimeIntervalExport"):
        defs[name]["properties"]["time_intervals"]["items"] = {
            "$ref": "#/definitions/TimeIntervalItem"}
    # A dashboard's model is free-form JSON (Go's simplejson); `Dashboard` is an old, unrelated
    # struct that the spec generator picked up under the same name.
    defs["DashboardFullWithMeta"]["properties"]["dashboard"] = {"type": "object"}
    defs["AlertingFileExport"]["properties"].update(copy.deepcopy(_FILE_ONLY_TOP_LEVEL))
    defs["AlertingFileExport"]["required"] = ["apiVersion"]
    defs["AlertingFileExport"]["properties"]["apiVersion"] = {"type": "integer", "enum": [1]}


def _close_objects(node: Any) -> None:
    """Forbid undeclared keys on every object schema that lists its properties."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


def _check_rule(rule: Mapping[str, Any], where: str) -> Iterator[str]:
    """Rules Grafana enforces on one alert rule beyond its schema."""
    refs = [q.get("refId") for q in rule.get("data", [])]
    if rule.get("condition") not in refs:
        yield f"{where}.condition: {rule.get('condition')!r} is not a refId in data ({refs})"
    for i, query in enumerate(rule.get("data", [])):
        rng = query.get("relativeTimeRange", {"from": 0, "to": 0})
        if query.get("datasourceUid") == EXPR_DATASOURCE:
            model_uid = query.get("model", {}).get("datasource", {}).get("uid", EXPR_DATASOURCE)
            if model_uid != EXPR_DATASOURCE:
                yield f"{where}.data[{i}].model.datasource: expressions need {EXPR_DATASOURCE!r}"
        elif not rng.get("from", 0) > rng.get("to", 0):
            yield (f"{where}.data[{i}].relativeTimeRange: a datasource query needs from > to "
                   f"(seconds before now), got {rng}")
        if query.get("model", {}).get("refId", query.get("refId")) != query.get("refId"):
            yield f"{where}.data[{i}].model.refId: differs from refId {query.get('refId')!r}"


def _check_rule_group(body: Mapping[str, Any]) -> Iterator[str]:
    """A group interval is a multiple of the scheduler tick; rules match the group."""
    interval = body.get("interval")
    if isinstance(interval, int) and interval % SCHEDULER_BASE_INTERVAL_S:
        yield f"$.interval: {interval}s is not a multiple of {SCHEDULER_BASE_INTERVAL_S}s"
    for i, rule in enumerate(body.get("rules", [])):
        where = f"$.rules[{i}]"
        folder, group = body.get("folderUid"), body.get("title")
        if rule.get("folderUID") != folder:
            yield f"{where}.folderUID: {rule.get('folderUID')!r} != group folderUid {folder!r}"
        if rule.get("ruleGroup") != group:
            yield f"{where}.ruleGroup: {rule.get('ruleGroup')!r} != group title {group!r}"
        yield from _check_rule(rule, where)


def _check_file(body: Mapping[str, Any]) -> Iterator[str]:
    """Every rule in a provisioning file follows the same server-side rules."""
    for g, group in enumerate(body.get("groups", [])):
        for i, rule in enumerate(group.get("rules", [])):
            yield from _check_rule(rule, f"$.groups[{g}].rules[{i}]")


_SEMANTIC_CHECKS: Mapping[str, Callable[[Mapping[str, Any]], Iterator[str]]] = {
    "ProvisionedAlertRule": lambda body: _check_rule(body, "$"),
    "AlertRuleGroup": _check_rule_group,
    "AlertingFileExport": _check_file,
}


def _format_path(parts: Any) -> str:
    """JSON path of an error location, e.g. `$.rules[0].for`."""
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


# What an error answer may hold. The spec declares `ValidationError {"msg"}` for provisioning 400s,
# but Grafana sends `{"message", "traceID"}` or the errutil shape (`messageId`, `statusCode`,
# `extra`), see the API notes; the legacy handlers send `ErrorResponseBody`, checked as declared.
ERROR_BODY = {"type": "object", "required": ["message"], "additionalProperties": False,
              "properties": {"message": {"type": "string"}, "status": {"type": "string"},
                             "error": {"type": "string"}, "messageId": {"type": "string"},
                             "statusCode": {"type": "integer"}, "extra": {"type": "object"},
                             "traceID": {"type": "string"}}}
Responses = Mapping[int, Any]


@dataclass(frozen=True)
class GrafanaSpec:
    """Patched definitions and the request and response bodies of Grafana's HTTP API."""

    definitions: Mapping[str, Any]
    operations: tuple[tuple[str, re.Pattern[str], str], ...] = field(default=())
    responses: tuple[tuple[str, re.Pattern[str], Responses], ...] = field(default=())

    def response_schemas(self, method: str, path: str) -> Responses:
        """The declared answers of `method path`: status -> schema (None: no body)."""
        rel = path.removeprefix(BASE_PATH).split("?", 1)[0]
        for op_method, pattern, declared in self.responses:
            if op_method == method.upper() and pattern.fullmatch(rel):
                return declared
        raise KeyError(f"no operation {method.upper()} {path} in the spec")

    def validate_response(self, method: str, path: str, status: int, body: Any) -> None:
        """Raise GrafanaSchemaError unless Grafana could answer `status` and `body` here.

        A success status must be one the operation declares, with a body of its declared
        shape (objects closed: a key Grafana does not send is an error). Error bodies follow
        `ErrorResponseBody` where declared, else Grafana's error shapes (`ERROR_BODY`).
        """
        declared = self.response_schemas(method, path)
        where = f"{method.upper()} {path} -> {status}"
        if 200 <= status < 300:
            if status not in declared:
                raise GrafanaSchemaError(f"{where}: Grafana answers {sorted(declared)} here")
            schema = declared[status]
        else:
            schema = declared.get(status) if _is_error_body(declared.get(status)) else ERROR_BODY
        if schema is None:
            return  # the spec leaves this answer's body open (or there is none, as for a 204)
        validator = jsonschema.Draft4Validator({**schema, "definitions": self.definitions})
        problems = sorted(
            f"{_format_path(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body))
        if problems:
            raise GrafanaSchemaError(f"{where}: " + "\n  ".join(["invalid answer", *problems]))

    def body_definition(self, method: str, path: str) -> str:
        """Name of the definition that the body of `method path` must match."""
        rel = path.removeprefix(BASE_PATH).split("?", 1)[0]
        for op_method, pattern, definition in self.operations:
            if op_method == method.upper() and pattern.fullmatch(rel):
                return definition
        raise KeyError(f"no body definition for {method.upper()} {path}")

    def validate_request(self, method: str, path: str, body: Any) -> None:
        """Validate the body of an HTTP request by its method and path."""
        self.validate_body(self.body_definition(method, path), body)

    def validate_body(self, definition: str, body: Any) -> None:
        """Raise GrafanaSchemaError listing every way `body` violates `definition`."""
        if definition not in self.definitions:
            raise KeyError(f"unknown Grafana definition {definition!r}")
        schema = {"$ref": f"#/definitions/{definition}", "definitions": self.definitions}
        validator = jsonschema.Draft4Validator(schema)
        problems = sorted(
            f"{_format_path(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body))
        if not problems and definition in _SEMANTIC_CHECKS:
            problems = list(_SEMANTIC_CHECKS[definition](body))
        if problems:
            raise GrafanaSchemaError(f"{definition}: " + "\n  ".join(["invalid body", *problems]))


def _is_error_body(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("$ref") == "#/definitions/ErrorResponseBody"


def _path_pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


def _patch_wire_answers(method: str, template: str, declared: dict[int, Any]) -> None:
    """Rewrite the answers where the spec and what Grafana sends disagree."""
    if (method, template) == ("post", "/dashboards/db"):
        # The handler sends `slug` (and no title); the spec's struct names the field `title`.
        saved = declared[200]
        saved["properties"]["slug"] = saved["properties"].pop("title")
        saved["required"] = [k for k in saved["required"] if k != "title"]


def _responses(paths: Mapping[str, Any]) -> Iterator[tuple[str, re.Pattern[str], Responses]]:
    """(method, path regex, status -> closed response schema) for every operation."""
    for template, item in sorted(paths.items()):
        for method, op in sorted(item.items()):
            if not isinstance(op, dict) or "responses" not in op:
                continue
            declared = {int(status): copy.deepcopy(answer.get("schema"))
                        for status, answer in op["responses"].items() if status.isdigit()}
            _patch_wire_answers(method, template, declared)
            _close_objects(declared)
            yield method.upper(), _path_pattern(template), declared


def _operations(paths: Mapping[str, Any]) -> Iterator[tuple[str, re.Pattern[str], str]]:
    """(method, path regex, body definition) for every operation that takes a JSON body."""
    for template, item in sorted(paths.items()):
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))
        for method, op in sorted(item.items()):
            for param in op.get("parameters", []) if isinstance(op, dict) else []:
                ref = param.get("schema", {}).get("$ref", "") if param.get("in") == "body" else ""
                if ref.startswith("#/definitions/"):
                    yield method.upper(), pattern, ref.removeprefix("#/definitions/")


def load_grafana_spec(path: Path = SPEC_PATH) -> GrafanaSpec:
    """Read and patch the OpenAPI spec."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    definitions = copy.deepcopy(raw["definitions"])
    _patch_wire_format(definitions)
    _close_objects(definitions)
    # Literal segments sort before templated ones so `/x/export` wins over `/x/{uid}`.
    ops = sorted(_operations(raw["paths"]),
                 key=lambda op: (op[1].pattern.count("[^/]+"), op[1].pattern))
    answers = sorted(_responses(raw["paths"]),
                     key=lambda op: (op[1].pattern.count("[^/]+"), op[1].pattern))
    return GrafanaSpec(definitions=definitions, operations=tuple(ops), responses=tuple(answers))
