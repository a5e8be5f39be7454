"""Apply 200 dashboards and 200 alert rules to the Grafana emulator: requests and wall time.

Writes bench/results/apply.json with the first apply, a no-op re-apply with the default full
refresh (target: under a second on loopback, no writes), the same with `--refresh markers`
(target: at most five requests), a re-apply after one dashboard and one rule changed in the
specs, and one after the same edits were made in Grafana (drift, restored by a plain apply).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.apply.changes import Refresh  # noqa: E402
from generator.apply.client import Credentials, grafana_client  # noqa: E402
from generator.apply.grafana import apply_grafana  # noqa: E402
from generator.apply.plan import Options  # noqa: E402
from generator.apply.secrets import placeholders  # noqa: E402
from tests.grafana_emulator import Emulator  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DASHBOARDS, RULES, RULES_PER_GROUP = 200, 200, 10
MARKERS_NOOP_TARGET = 5
FULL_NOOP_TARGET_SECONDS = 1.0


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _rule(n: int, group: str) -> dict[str, Any]:
    return {
        "uid": f"bench-rule-{n:03d}", "orgID": 1, "folderUID": "bench", "ruleGroup": group,
        "title": f"Burn rate {n}", "condition": "C", "for": "5m",
        "noDataState": "NoData", "execErrState": "Error", "isPaused": False,
        "labels": {"managed_by": "slogen", "severity": "page"}, "annotations": {"summary": "x"},
        "data": [
            {"refId": "A", "queryType": "", "datasourceUid": "bench-prom",
             "relativeTimeRange": {"from": 600, "to": 0},
             "model": {"refId": "A", "expr": f"slo:burn_rate:ratio_rate1h{{n=\"{n}\"}}"}},
            {"refId": "C", "queryType": "", "datasourceUid": "__expr__",
             "relativeTimeRange": {"from": 0, "to": 0},
             "model": {"refId": "C", "type": "threshold", "expression": "A",
                       "conditions": [{"evaluator": {"type": "gt", "params": [14.4]}}]}}]}


def build_tree(api: Path) -> None:
    """A generated tree with one folder, one datasource, the dashboards and the rule groups."""
    _write(api / "folders" / "bench.json", {"uid": "bench", "title": "Bench"})
    _write(api / "datasources" / "bench-prom.json", {
        "uid": "bench-prom", "name": "Bench Prometheus", "type": "prometheus",
        "access": "proxy", "url": "http://127.0.0.1:9090"})
    for n in range(DASHBOARDS):
        uid = f"bench-dash-{n:03d}"
        _write(api / "dashboards" / f"{uid}.json", {"folderUid": "bench", "overwrite": True,
               "dashboard": {"uid": uid, "title": f"Bench {n}", "tags": ["managed-by:slogen"],
                             "panels": [{"id": 1, "type": "stat", "title": "SLI"}]}})
    for g in range(RULES // RULES_PER_GROUP):
        group = f"bench-{g:02d}"
        rules = [_rule(g * RULES_PER_GROUP + i, group) for i in range(RULES_PER_GROUP)]
        _write(api / "rule-groups" / "bench" / f"{group}.json",
               {"title": group, "folderUid": "bench", "interval": 60, "rules": rules})


def _run(emulator: Emulator, api: Path, environ: dict[str, str] | None = None,
         file_root: Path | None = None, refresh: Refresh = Refresh.FULL) -> dict[str, Any]:
    client = grafana_client(emulator.url, Credentials(token=emulator.token), 1)
    emulator.reset_log()
    started = time.perf_counter()
    result = apply_grafana(client, api, Options(refresh=refresh), environ or {},
                           file_root=file_root)
    seconds = time.perf_counter() - started
    if result.failed:
        raise SystemExit(f"apply failed: {[o.message for o in result.outcomes if o.message]}")
    return {"requests": client.requests_sent, "writes": len(emulator.writes()),
            "seconds": round(seconds, 3), "drifted": result.plan.counts()["drifted"]}


def _edit_in_grafana(emulator: Emulator) -> None:
    """What a person does in the UI: a panel retitled, a rule's `for` raised (no markers)."""
    with emulator.lock:
        dash = emulator.state.dashboards["bench-dash-011"]
        dash["dashboard"]["panels"][0]["title"] = "edited in the UI"
        dash["version"] += 1
        emulator.state.rules["bench-rule-042"]["for"] = "1h"


def best_noop(emulator: Emulator, api: Path, refresh: Refresh, runs: int = 3) -> dict[str, Any]:
    """The fastest of a few no-op runs (the machine is shared), with its request counts."""
    return min((_run(emulator, api, refresh=refresh) for _ in range(runs)),
               key=lambda r: float(r["seconds"]))


def reference() -> dict[str, Any]:
    """First apply and no-op re-apply of the repository's own out/ (every object kind)."""
    api = ROOT / "out" / "grafana" / "api"
    found: set[str] = set()
    for path in api.rglob("*.json"):
        found |= placeholders(json.loads(path.read_text()))
    environ: dict[str, str] = {}
    emulator = Emulator().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for placeholder in found:
                kind, name = placeholder[2:-1].split(":", 1)
                if kind == "env":
                    environ[name] = "bench-secret"
                else:
                    target = Path(tmp) / name.lstrip("/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text("bench-secret\n")
            first = _run(emulator, api, environ, Path(tmp))
            noop = _run(emulator, api, environ, Path(tmp))
            markers = _run(emulator, api, environ, Path(tmp), Refresh.MARKERS)
    finally:
        emulator.stop()
    kinds = sorted({p.relative_to(api).parts[0].removesuffix(".json")
                    for p in api.rglob("*.json")})
    return {"kinds": kinds, "first_apply": first, "noop_reapply_full_refresh": noop,
            "noop_reapply_markers": markers}


def main() -> dict[str, Any]:
    """Run the three applies and return the figures."""
    emulator = Emulator().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            api = Path(tmp) / "grafana" / "api"
            build_tree(api)
            first = _run(emulator, api)
            noop = best_noop(emulator, api, Refresh.FULL)
            markers = best_noop(emulator, api, Refresh.MARKERS)
            _edit_in_grafana(emulator)
            drift = _run(emulator, api)
            dash = api / "dashboards" / "bench-dash-007.json"
            dash.write_text(dash.read_text().replace('"Bench 7"', '"Bench seven"'))
            group = api / "rule-groups" / "bench" / "bench-03.json"
            group.write_text(group.read_text().replace('"for": "5m"', '"for": "10m"', 1))
            one_change = _run(emulator, api)
    finally:
        emulator.stop()
    ref = reference()
    return {"objects": {"dashboards": DASHBOARDS, "alert_rules": RULES,
                        "rule_groups": RULES // RULES_PER_GROUP, "folders": 1, "datasources": 1},
            "first_apply": first, "noop_reapply_full_refresh": noop,
            "noop_reapply_markers": markers,
            "edited_in_grafana_restored": drift,
            "one_dashboard_one_rule_changed": one_change, "reference_out": ref,
            "targets": {"full_noop_seconds": FULL_NOOP_TARGET_SECONDS,
                        "markers_noop_requests": MARKERS_NOOP_TARGET},
            "targets_met": {
                "full_noop_seconds": noop["seconds"] < FULL_NOOP_TARGET_SECONDS
                and noop["writes"] == 0,
                "markers_noop_requests": markers["requests"] <= MARKERS_NOOP_TARGET
                and markers["writes"] == 0},
            "note": "emulator on loopback, request-body and answer schema validation off; "
                    "no-op figures are the fastest of three runs on a shared 2-core machine"}


if __name__ == "__main__":
    RESULTS.mkdir(parents=True, exist_ok=True)
    figures = main()
    (RESULTS / "apply.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(json.dumps({k: figures[k] for k in ("first_apply", "noop_reapply_full_refresh",
                                              "noop_reapply_markers", "targets_met")}))
