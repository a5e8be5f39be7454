"""`generate` keyed by its inputs: a no-op compiles and writes nothing, an edit rewrites only
what changed, a hand-edited or deleted output is regenerated, `--check` stays exact."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any

import pytest

from generator import incremental, outdir, pipeline, produce
from generator.cli import main
from generator.core.model import Model, Service
from generator.targets import registry
from generator.validate import grafana
from generator.validate import promtool as promtool_mod
from generator.validate.promtool import CheckResult
from tests.conftest import SPECS_DIR

SERVICE = "hive"  # a reference service with rules, tests, a dashboard and a doc


def _generate(specs: Path, out: Path, *extra: str) -> int:
    return main(["generate", "--specs", str(specs), "--out", str(out), *extra])


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Inode and modification time of every file: a rewrite changes one of them."""
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file()}


def _record_promtool(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The rule files each `promtool check rules` run is given, in the foreground or not."""
    checked: list[list[str]] = []
    real_check, real_start = promtool_mod.check_rules, promtool_mod.start_check_rules

    def recording_check(paths: list[Path], tool: str) -> CheckResult:
        checked.append(sorted(p.name for p in paths))
        return real_check(paths, tool)

    def recording_start(paths: list[Path], tool: str) -> subprocess.Popen[bytes]:
        checked.append(sorted(p.name for p in paths))
        return real_start(paths, tool)

    monkeypatch.setattr(promtool_mod, "check_rules", recording_check)
    monkeypatch.setattr(promtool_mod, "start_check_rules", recording_start)
    return checked


@pytest.fixture
def generated(tmp_path: Path) -> tuple[Path, Path]:
    specs = tmp_path / "slos"
    shutil.copytree(SPECS_DIR, specs)
    out = tmp_path / "out"
    assert _generate(specs, out) == 0
    return specs, out


def test_a_no_op_compiles_and_writes_nothing(generated: tuple[Path, Path],
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = generated
    before = _stamps(out)

    def no_compile(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-op generate compiled the specs")

    monkeypatch.setattr(pipeline, "compile_specs", no_compile)
    capsys.readouterr()
    assert _generate(specs, out) == 0
    assert "is up to date" in capsys.readouterr().out
    assert _stamps(out) == before


def test_an_edit_rewrites_and_rechecks_only_that_services_files(
        generated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    specs, out = generated
    before = _stamps(out)
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("for: 15m", "for: 20m",
                                                             1), encoding="utf-8")
    checked = _record_promtool(monkeypatch)
    assert _generate(specs, out) == 0

    after = _stamps(out)
    rewritten = {rel for rel in after if after[rel] != before.get(rel)}
    assert f"prometheus/{SERVICE}.rules.yaml" in rewritten
    others = {rel for rel in rewritten if SERVICE not in rel}
    # Only the manifest and files that list every service's SLOs may change with it.
    assert others <= {".slogen-manifest", "docs/index.md"} | {
        rel for rel in others if rel.startswith("grafana/") and "overview" in rel}, others
    if promtool_mod.find_promtool() is not None:
        assert checked == [[f"{SERVICE}.rules.yaml"]]


@pytest.mark.parametrize("damage", ["edit", "delete"])
def test_a_damaged_output_is_regenerated(generated: tuple[Path, Path], damage: str) -> None:
    specs, out = generated
    target = out / "prometheus" / f"{SERVICE}.rules.yaml"
    original = target.read_bytes()
    if damage == "edit":
        target.write_bytes(original.replace(b"groups:", b"groups: # edited", 1))
    else:
        target.unlink()
    assert _generate(specs, out, "--check") == 1
    assert _generate(specs, out) == 0
    assert target.read_bytes() == original
    assert _generate(specs, out, "--check") == 0


def test_a_new_slogen_regenerates_but_check_does_not_call_out_stale(
        generated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    specs, out = generated
    monkeypatch.setattr(incremental, "generator_digest", lambda: "0" * 64)
    assert _generate(specs, out, "--check") == 0  # same files: the code digest alone differs
    compiled: list[bool] = []
    real = pipeline.compile_specs

    def counting(*args: object, **kwargs: object) -> object:
        compiled.append(True)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "compile_specs", counting)
    assert _generate(specs, out) == 0
    assert compiled == [True]
    assert f"generator {'0' * 64}" in (out / ".slogen-manifest").read_text(encoding="utf-8")


def test_the_manifest_is_deterministic_and_names_no_machine_path(
        generated: tuple[Path, Path], tmp_path: Path) -> None:
    specs, out = generated
    text = (out / ".slogen-manifest").read_text(encoding="utf-8")
    assert str(tmp_path) not in text
    recorded = incremental.parse(text)
    assert recorded.specs.keys() == {p.relative_to(specs).as_posix()
                                     for p in specs.rglob("*") if p.is_file()}
    assert all(value is not None for value in recorded.files.values())
    other = tmp_path / "again"
    assert _generate(specs, other) == 0
    assert (other / ".slogen-manifest").read_text(encoding="utf-8") == text


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_an_edit_renders_one_service_and_writes_what_a_full_generate_writes(
        generated: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    specs, out = generated
    before = _stamps(out)
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("for: 15m", "for: 20m", 1),
                    encoding="utf-8")
    rendered: list[str] = []
    real_render = registry.render_service

    def recording_render(model: Model, service: Service) -> Iterator[tuple[PurePath, str]]:
        rendered.append(service.name)
        return real_render(model, service)

    monkeypatch.setattr(registry, "render_service", recording_render)
    checked = _record_promtool(monkeypatch)
    assert _generate(specs, out) == 0
    assert rendered == [SERVICE]
    if promtool_mod.find_promtool() is not None:
        assert checked == [[f"{SERVICE}.rules.yaml"]]

    monkeypatch.setattr(registry, "render_service", real_render)
    full = tmp_path / "full"
    assert _generate(specs, full) == 0
    assert _files(out) == _files(full)
    # Files with the same content are the very files written before (same inode and
    # modification time); the others all belong to the edited service.
    after = _stamps(out)
    rewritten = {rel for rel in after if after[rel] != before.get(rel)}
    assert f"prometheus/{SERVICE}.rules.yaml" in rewritten
    assert {rel for rel in rewritten if SERVICE not in rel} <= {".slogen-manifest"}, rewritten


def test_a_series_clash_with_a_service_not_rendered_again_is_found(
        generated: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = generated
    before = _files(out)
    spec = specs / f"{SERVICE}.yaml"
    # archon-intelligence records this series already, with nothing to tell the two apart.
    spec.write_text(spec.read_text(encoding="utf-8") + (
        "recording:\n"
        "  - record: phase4:lineage_tracker:insert_duration_seconds\n"
        "    expr: histogram_quantile(0.95, rate(lineage_insert_duration_seconds_bucket[5m]))\n"
        "    group: phase4_lineage\n"), encoding="utf-8")
    capsys.readouterr()
    assert _generate(specs, out) == 2
    err = capsys.readouterr().err
    assert "archon-intelligence.rules.yaml" in err and "tell their series apart" in err, err
    assert _files(out) == before


def test_a_damaged_cache_means_a_full_render(generated: tuple[Path, Path],
                                             tmp_path: Path) -> None:
    specs, out = generated
    produce.cache_path(out).write_text("{not json", encoding="utf-8")
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("for: 15m", "for: 20m", 1),
                    encoding="utf-8")
    assert _generate(specs, out) == 0
    full = tmp_path / "full"
    assert _generate(specs, full) == 0
    assert _files(out) == _files(full)
    assert produce.read_cache(out).keys() == {p.stem for p in specs.glob("*.yaml")
                                              if p.stem != "_global"}


def test_the_per_service_split_renders_what_every_target_renders() -> None:
    split = {name for name, _ in registry.PER_SERVICE} | {name for name, _ in registry.SHARED}
    assert split | {"prometheus"} == set(registry.target_names())
    model = pipeline.compile_specs(SPECS_DIR, None)
    files: dict[PurePath, str] = {}
    for service in model.services:
        files.update(registry.RULE_FILES(model, service))
        files.update(registry.render_service(model, service))
    files.update(registry.render_shared(model))
    assert files == registry.render_all(model)


def test_a_dashboard_not_rendered_again_still_loses_a_series_its_service_did_not_drop(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if promtool_mod.find_promtool() is None:
        pytest.skip("the Grafana check runs with the other output checks")
    specs = tmp_path / "slos"
    shutil.copytree(SPECS_DIR, specs)
    series = "phase4:lineage_tracker:insert_duration_seconds"  # archon-intelligence records it
    reader = specs / "devdiag.yaml"
    reader.write_text(reader.read_text(encoding="utf-8") + (
        f"    - title: Lineage inserts\n      queries: [{{expr: '{series}'}}]\n"),
        encoding="utf-8")
    out = tmp_path / "out"
    assert _generate(specs, out) == 0
    before = _files(out)
    writer = specs / "archon-intelligence.yaml"
    writer.write_text(writer.read_text(encoding="utf-8").replace(series, f"{series}_p95"),
                      encoding="utf-8")
    capsys.readouterr()
    assert _generate(specs, out) == 1
    err = capsys.readouterr().err
    assert "devdiag" in err and series in err, err
    assert _files(out) == before
    assert _generate(specs, tmp_path / "full") == 1  # a full generate fails the same way


def test_the_series_recorded_are_those_the_rule_files_record(
        generated: tuple[Path, Path]) -> None:
    specs, out = generated
    model = pipeline.compile_specs(specs, None, rules=False)
    stager = outdir.Stager(out, write=False)
    produced = produce.produce(model, stager, None, {}, {})
    assert produced.recorded == grafana.recorded_series(
        sorted((out / "prometheus").rglob("*.yaml")))


def test_an_edit_parses_only_the_spec_file_that_changed(
        generated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.specfile import parallel_read

    specs, out = generated
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("for: 15m", "for: 20m", 1),
                    encoding="utf-8")
    parsed: list[str] = []
    real_parse = parallel_read.parse_yaml

    def recording_parse(text: str, shown: str) -> object:
        parsed.append(Path(shown).name)
        return real_parse(text, shown)

    monkeypatch.setattr(parallel_read, "parse_yaml", recording_parse)
    assert _generate(specs, out) == 0
    assert parsed == [spec.name]


def _spec_entries(out: Path) -> dict[str, list[object]]:
    entries = produce.read_cache_document(out)["specs"]
    assert isinstance(entries, dict)
    return entries


@pytest.mark.parametrize("damage", ["data", "positions", "shape", "foreign"])
def test_a_damaged_or_foreign_spec_cache_is_ignored(
        generated: tuple[Path, Path], tmp_path: Path, damage: str) -> None:
    """A cached spec whose data no longer validates, whose positions are not positions, that
    is not a cache entry at all, or that another slogen wrote is read from its file again."""
    import orjson

    specs, out = generated
    document = produce.read_cache_document(out)
    for key, entry in list(document["specs"].items()):
        if damage == "data":
            entry[0] = {"version": "slogen/v1", "service": 7}
        elif damage == "positions":
            entry[1] = [["not", "a", "position"]]
        elif damage == "shape":
            document["specs"][key] = "not an entry"
        else:
            document["specs"][f"{key[:-1]}0" if key[-1] != "0" else f"{key[:-1]}1"] = entry
            del document["specs"][key]
    produce.cache_path(out).write_bytes(orjson.dumps(document))
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("for: 15m", "for: 20m", 1),
                    encoding="utf-8")
    assert _generate(specs, out) == 0
    full = tmp_path / "full"
    assert _generate(specs, full) == 0
    assert _files(out) == _files(full)
    assert len(_spec_entries(out)) == len(list(specs.glob("*.yaml")))


def test_a_spec_that_breaks_after_being_cached_is_a_located_error(
        generated: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = generated
    spec = specs / f"{SERVICE}.yaml"
    good = spec.read_text(encoding="utf-8")
    spec.write_text(good.replace("version: slogen/v1", "version: slogen/v1\nbogus_key: 1", 1),
                    encoding="utf-8")
    capsys.readouterr()
    assert _generate(specs, out) == 2
    err = capsys.readouterr().err
    line = good.splitlines().index("version: slogen/v1") + 2
    assert f"{spec.name}:{line}:1: bogus_key: unknown key" in err, err
    # Back to the cached text: served from the cache, the same output as before.
    spec.write_text(good, encoding="utf-8")
    assert _generate(specs, out) == 0


def test_an_unreadable_cached_writer_row_means_a_full_render(
        generated: tuple[Path, Path], tmp_path: Path) -> None:
    import orjson

    specs, out = generated
    document = produce.read_cache_document(out)
    entry = next(iter(document["services"].values()))
    entry["writers"][0] = ["record", 7]
    produce.cache_path(out).write_bytes(orjson.dumps(document))
    assert produce.read_cache(out) == {}
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("for: 15m", "for: 20m", 1),
                    encoding="utf-8")
    assert _generate(specs, out) == 0
    full = tmp_path / "full"
    assert _generate(specs, full) == 0
    assert _files(out) == _files(full)


class _FirstClaims:
    """The helper's view of the shared claims, cut off after `count` services."""

    def __init__(self, claims: Any, count: int) -> None:
        self.claims, self.left = claims, count

    def claim(self) -> int | None:
        if not self.left:
            return None
        self.left -= 1
        return self.claims.claim()  # type: ignore[no-any-return]


@pytest.mark.parametrize("helper", ["works", "fails", "dies holding one"])
def test_a_generate_split_with_a_forked_helper_writes_what_one_process_writes(
        generated: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        helper: str) -> None:
    """Services shared out between this process and a forked helper (or, when it dies after
    one service, or after taking one it never sends, the rest rendered here): the same files,
    the same cache, the same rule files checked."""
    specs, out = generated
    monkeypatch.setattr(produce, "PARALLEL_MIN_SERVICES", 1)
    if helper != "works":
        real_help = produce._help

        def one_then_die(model: Model, stager: outdir.Stager, lay: object,
                         services: list[Service], claims: Any, fd: int) -> None:
            real_help(model, stager, lay, services, _FirstClaims(claims, 1),  # type: ignore[arg-type]
                      fd)
            if helper == "dies holding one":
                assert claims.claim() is not None
            raise RuntimeError("the helper died")

        monkeypatch.setattr(produce, "_help", one_then_die)
    checked = _record_promtool(monkeypatch)
    split = tmp_path / "split"
    assert _generate(specs, split) == 0
    split_checked = sorted(f for run in checked for f in run)
    checked.clear()
    monkeypatch.setattr(produce, "PARALLEL_MIN_SERVICES", 10**9)
    alone = tmp_path / "alone"
    assert _generate(specs, alone) == 0
    assert _files(split) == _files(alone)
    assert produce.cache_path(split).read_bytes() == produce.cache_path(alone).read_bytes()
    assert split_checked == sorted(f for run in checked for f in run)


def test_a_series_clash_between_services_a_helper_rendered_is_found(
        generated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = generated
    monkeypatch.setattr(produce, "PARALLEL_MIN_SERVICES", 1)
    produce.cache_path(out).unlink()
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + (
        "recording:\n"
        "  - record: phase4:lineage_tracker:insert_duration_seconds\n"
        "    expr: histogram_quantile(0.95, rate(lineage_insert_duration_seconds_bucket[5m]))\n"
        "    group: phase4_lineage\n"), encoding="utf-8")
    capsys.readouterr()
    assert _generate(specs, out) == 2
    err = capsys.readouterr().err
    assert f"{SERVICE}.yaml:" in err and "tell their series apart" in err, err


def test_an_edit_syntax_checks_only_new_promql(
        generated: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    specs, out = generated
    asked: list[list[str]] = []
    real_start = promtool_mod.ParseCheck.__init__
    real_local = pipeline.promql_syntax.parse_error

    def recording(self: promtool_mod.ParseCheck, exprs: list[str], tool: str) -> None:
        if exprs:
            asked.append(list(exprs))
        real_start(self, exprs, tool)

    def recording_local(expr: str, rule: bool = False) -> str | None:
        asked.append([expr])
        return real_local(expr, rule)

    monkeypatch.setattr(promtool_mod.ParseCheck, "__init__", recording)
    monkeypatch.setattr(pipeline.promql_syntax, "parse_error", recording_local)
    spec = specs / f"{SERVICE}.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("for: 15m", "for: 20m", 1), encoding="utf-8")
    assert _generate(specs, out) == 0
    assert [e for run in asked for e in run] == []
    spec.write_text(text + "recording:\n  - record: job:new_metric:rate5m\n"
                    "    expr: sum by (job) (rate(brand_new_total[5m]))\n", encoding="utf-8")
    assert _generate(specs, out) == 0
    assert [e for run in asked for e in run] == ["sum by (job) (rate(brand_new_total[5m]))"]
    asked.clear()
    spec.write_text(text + "recording:\n  - record: job:bad:rate5m\n"
                    "    expr: sum by (job) (rate(broken_total[5m])\n", encoding="utf-8")
    capsys.readouterr()
    assert _generate(specs, out) == 2
    assert "invalid PromQL" in capsys.readouterr().err


@pytest.mark.parametrize("edit", ["its own spec", "the routing in _global.yaml"])
def test_an_mttd_target_broken_by_an_edit_is_found_although_the_service_was_cached(
        generated: tuple[Path, Path], capsys: pytest.CaptureFixture[str], edit: str) -> None:
    """The MTTD check skips services whose inputs passed it before; an edit to the service or
    to what every service reads (the routing) makes it check them again."""
    specs, out = generated
    if edit == "its own spec":
        path, old, new = specs / "nba-prevention.yaml", "    mttd: 6h\n", "    mttd: 1s\n"
    else:
        path, old, new = specs / "_global.yaml", "  group_wait: 30s\n", "  group_wait: 7h\n"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = _stamps(out)
    capsys.readouterr()
    assert _generate(specs, out) == 2
    err = capsys.readouterr().err
    assert "nba-prevention.yaml:" in err and "cannot notify within" in err, err
    assert _stamps(out) == before


@pytest.mark.parametrize(("theirs", "mine", "clash"), [
    ("gold", "gold", True),  # one series: found although archon-intelligence is carried over
    ("gold", "silver", False),  # a label pinned apart: not a clash, and not read again
])
def test_a_clash_with_a_carried_over_rule_is_decided_by_the_labels_both_pin(
        generated: tuple[Path, Path], capsys: pytest.CaptureFixture[str], theirs: str,
        mine: str, clash: bool) -> None:
    specs, out = generated
    other = specs / "archon-intelligence.yaml"
    group = "    group: phase4_lineage\n"
    other.write_text(other.read_text(encoding="utf-8").replace(
        group, f"{group}    labels: {{tier: {theirs}}}\n", 1), encoding="utf-8")
    assert _generate(specs, out) == 0  # archon-intelligence cached with its labelled rule
    spec = specs / f"{SERVICE}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + (
        "recording:\n"
        "  - record: phase4:lineage_tracker:insert_duration_seconds\n"
        "    expr: histogram_quantile(0.95, rate(lineage_insert_duration_seconds_bucket[5m]))\n"
        f"    labels: {{tier: {mine}}}\n"
        "    group: phase4_lineage\n"), encoding="utf-8")
    capsys.readouterr()
    assert _generate(specs, out) == (2 if clash else 0)
    err = capsys.readouterr().err
    assert ("tell their series apart" in err) == clash, err
