"""Trim Grafana's merged OpenAPI spec to what slogen's tests read, and write it into the repo.

slogen validates what it sends (and what its Grafana emulator answers) against Grafana's own
API definitions. The full spec is 600 KB and lives outside the repository, so a fresh clone
could not run those tests; this script keeps the API paths slogen talks to (folders,
datasources, dashboards, search, alerting provisioning), every definition they reference, and
the definitions of the file-provisioning format, and writes them sorted and indented.

    python scripts/trim_grafana_openapi.py PATH/TO/api-merged.json \
        tests/testdata/grafana/openapi-trimmed.json

The source of the input and its checksum go into the `x-slogen-source` key of the output.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

# Path prefixes (under basePath /api) whose operations slogen uses or the emulator serves.
PATH_PREFIXES = ("/folders", "/datasources", "/dashboards/db", "/dashboards/uid/", "/search",
                 "/v1/provisioning/")
# Definitions the tests name directly although no kept path references them.
EXTRA_DEFINITIONS = ("AlertingFileExport", "ErrorResponseBody", "PublicError",
                     "ValidationError", "GettableTimeIntervals")
SOURCE = ("Grafana's generated public/api-merged.json (Swagger 2.0, a Grafana 10.4-11.0 era "
          "spec), as vendored byte for byte by the Go client repository "
          "vapopov/grafana-openapi-client-go at commit e8bdcf2852bf568ebdb86df828baf0075ce4560a")


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            found.add(ref.rsplit("/", 1)[1] if "/definitions/" in ref else ref)
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _resolve_responses(node: Any, responses: dict[str, Any]) -> Any:
    """Inline `#/responses/X` references, so the output needs no `responses` section."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/responses/"):
            return _resolve_responses(responses[ref.rsplit("/", 1)[1]], responses)
        return {k: _resolve_responses(v, responses) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_responses(v, responses) for v in node]
    return node


def trim(spec: dict[str, Any]) -> dict[str, Any]:
    """The kept paths and the closure of definitions they (and EXTRA_DEFINITIONS) use."""
    responses = spec.get("responses", {})
    paths = {p: _resolve_responses(item, responses) for p, item in spec["paths"].items()
             if p.startswith(PATH_PREFIXES)}
    definitions = spec["definitions"]
    wanted = {r for r in _refs(paths) if r in definitions} | set(EXTRA_DEFINITIONS)
    todo = list(wanted)
    while todo:
        for ref in _refs(definitions[todo.pop()]):
            if ref in definitions and ref not in wanted:
                wanted.add(ref)
                todo.append(ref)
    return {"swagger": spec["swagger"], "basePath": spec["basePath"], "info": spec["info"],
            "paths": dict(sorted(paths.items())),
            "definitions": {name: definitions[name] for name in sorted(wanted)}}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    raw = source.read_bytes()
    trimmed = trim(json.loads(raw))
    trimmed["x-slogen-source"] = {"from": SOURCE, "sha256": hashlib.sha256(raw).hexdigest(),
                                  "trimmed-by": "scripts/trim_grafana_openapi.py"}
    target.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{target}: {len(trimmed['paths'])} paths, {len(trimmed['definitions'])} definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
