"""Render the model into out/ one service at a time, re-rendering only what an edit touched.

A service's own files (its rule file, unit tests, doc and dashboard) depend on its spec file,
the other spec files that are not service files (`_global.yaml`, Jsonnet libraries), the
options and slogen's source. A cache beside out/ records, per service, the digest of those
inputs, the digests of the files they produced and the series writers of its rule file. When
a service's inputs match its entry and out/ still holds those files, they are carried over as
they are (hard links: untouched, same modification time) and its writers come from the entry,
so the check that no two rules in any file write one series stays global without rendering
the other services again. Files that read every service (Alertmanager, the overview, the docs
index...) are always rendered.

The cache is only an accelerator: a missing, stale or damaged cache means a full render. The
output is the same either way (a test holds incremental output to a full generate's).

Files are written to the staging directory as they are rendered and only their digests are
kept, so memory does not grow with the size of the output. promtool checks the changed rule
files in the background, in batches, while the rest renders.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import mmap
import os
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import orjson

from generator import forking, incremental, outdir
from generator.core.errors import SpecError, SpecErrors
from generator.core.model import Model, Service
from generator.targets import registry
from generator.targets.prometheus import rule_files, writers
from generator.validate import grafana
from generator.validate import promtool as promtool_mod

if TYPE_CHECKING:
    from generator.specfile.speccache import SpecCache

CACHE_VERSION = 3
# Rule files gathered before a background promtool run starts (a run costs about 25 ms of CPU to
# start). Runs start while the services render only on cores the render processes leave free,
# at most MAX_RUNNING at once. On two cores both render, so every rule file waits for the end
# and is checked then in one run per core (`launch_rest`): with all cores busy, a run started
# earlier only took CPU time from rendering, and ten runs of ten files cost about 0.3 s of CPU
# (starts, and three or four processes sharing two cores) that two runs of fifty do not.
BATCH_FILES = 10
MAX_RUNNING = 2
# With this few services left to render, pending rule files are checked as soon as promtool is
# free (when runs start while rendering): smaller last batches, so little is left to check once
# rendering ends.
EAGER_CHECK_SERVICES = 12
# At most this many promtool runs at once when rendering ends. Each holds a Go heap of its own
# (up to about 75 MB with promtool.CHECK_RUNTIME), and a container limited to a few cores and
# a little memory may still see all its host's processors.
MAX_FINAL_RUNS = 8


def usable_cpus() -> int:
    """The processors this process may run on (its affinity mask where the platform has one,
    which follows a cpuset; os.cpu_count() counts every processor of the machine)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def run_limit(renderers: int) -> int:
    """How many promtool runs may go on at once while `renderers` processes render."""
    return max(0, min(MAX_RUNNING, usable_cpus() - renderers))


cache_path = incremental.cache_path


@dataclass
class Entry:
    """What the cache holds for one service."""

    key: str
    files: dict[str, str]  # posix path -> digest
    # One writers.to_record row per rule of its rule file, as read from the cache; a service
    # rendered now keeps its writers instead (smaller: rows are made as the cache is written).
    records: list[Any] | None
    tested: bool = False  # its promtool unit tests passed (`generate --test`)
    # Its dashboard files -> the series their panels read (when the Grafana check read them).
    dashboards: dict[str, list[str]] = field(default_factory=dict)
    rendered: list[writers.Writer] | None = None

    def to_json(self) -> dict[str, Any]:
        rows = self.records if self.records is not None else [
            writers.to_record(w) for w in self.rendered or ()]
        return {"key": self.key, "files": self.files, "writers": rows,
                "tested": self.tested, "dashboards": self.dashboards}


def read_cache_document(out_dir: Path) -> dict[str, Any]:
    """The cache beside `out_dir` as JSON data ({} when absent, unreadable or of another
    version)."""
    try:
        data = orjson.loads(cache_path(out_dir).read_bytes())
    except (OSError, ValueError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else {}


def spec_cache(document: Mapping[str, Any], inputs: incremental.Inputs) -> SpecCache:
    """The spec files read by the generate that wrote `document` (see speccache.py)."""
    from generator.specfile.speccache import SpecCache

    return SpecCache(inputs.generator, document.get("specs"), document.get("promql"))


def read_cache(out_dir: Path, document: Mapping[str, Any] | None = None) -> dict[str, Entry]:
    """Service name -> entry, from the cache beside `out_dir` (or its `document` already
    read); {} when absent or unreadable."""
    data = read_cache_document(out_dir) if document is None else document
    try:
        entries = {name: Entry(str(e["key"]), dict(e["files"]), list(e["writers"]),
                               e.get("tested") is True, dict(e.get("dashboards") or {}))
                   for name, e in data["services"].items()}
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):
        return {}
    # Rows are turned into writers only when a check needs them: they must not fail then.
    if not all(writers.is_record(r) for e in entries.values() for r in e.records or ()):
        return {}
    return entries


def write_cache(out_dir: Path, entries: Mapping[str, Entry],
                specs: SpecCache | None = None) -> None:
    """Replace the cache beside `out_dir` atomically (a failure leaves no cache: still correct)."""
    path = cache_path(out_dir)
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            # One service at a time: the whole document at once is tens of MB at scale.
            fh.write(b'{"version":%d,"services":{' % CACHE_VERSION)
            for i, (name, entry) in enumerate(sorted(entries.items())):
                fh.write(b"," if i else b"")
                fh.write(orjson.dumps({name: entry.to_json()})[1:-1])
            fh.write(b'},"specs":{')
            for i, (key, value) in enumerate(sorted((specs.to_json() if specs else {}).items())):
                fh.write(b"," if i else b"")
                fh.write(orjson.dumps(key) + b":" + (
                    value if isinstance(value, bytes) else orjson.dumps(value)))
            fh.write(b'},"promql":')
            fh.write(orjson.dumps(specs.promql_used if specs else {}))
            fh.write(b"}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        path.unlink(missing_ok=True)


def service_keys(model: Model, inputs: incremental.Inputs, spec_dir: Path,
                 display_root: Path | None = None) -> dict[str, str]:
    """Service name -> digest of everything its own files are made from (absent: uncacheable)."""
    root = (display_root or Path.cwd()).resolve()
    shown: dict[str, str] = {}
    for rel in inputs.specs:
        path = (spec_dir / rel).resolve()
        try:
            shown[str(path.relative_to(root))] = rel
        except ValueError:
            shown[str(spec_dir / rel)] = rel
    service_files = {shown[s.source_file] for s in model.services if s.source_file in shown}
    # Jsonnet files may import each other: any of them counts as an input of every service.
    shared = sorted((rel, value) for rel, value in inputs.specs.items()
                    if rel not in service_files or not rel.endswith((".yaml", ".yml")))
    h = hashlib.sha256(f"{inputs.options}\0{inputs.generator}".encode())
    for rel, value in shared:
        h.update(f"\0{rel}\0{value}".encode())
    # Dashboards of every service go to per-folder directories once there are several folders.
    h.update(json.dumps(registry.service_context(model)).encode())
    common = h.hexdigest()
    keys = {}
    for service in model.services:
        own = shown.get(service.source_file)
        if own is not None and own in service_files:
            keys[service.name] = incremental.digest(
                f"{common}\0{service.name}\0{own}\0{inputs.specs[own]}".encode())
    return keys


class RuleCheck:
    """`promtool check rules` on changed rule files, run in the background: in batches while
    the rest renders when a core is free for it (`limit` runs at once), else once rendering
    ends, split across the cores."""

    def __init__(self, promtool: str | None, limit: int = 1) -> None:
        self.promtool = promtool
        self.pending: list[Path] = []
        self.running: list[subprocess.Popen[bytes]] = []
        self.passed = True
        self.checked: list[Path] = []
        self.closing = False  # rendering is ending: no new run until `finish`
        self.limit = limit  # runs at once while rendering

    def add(self, path: Path) -> None:
        if self.promtool is None:
            return
        self.pending.append(path)
        if len(self.pending) >= BATCH_FILES and not self.closing and self.limit:
            self._poll()
            # Never wait here: while the runs are busy, the batch grows.
            if len(self.running) < self.limit:
                self._launch()

    def launch_if_idle(self) -> None:
        """Start a run on what is pending now if none is running: near the end of the render,
        so the last batch is small and the check ends soon after the render."""
        if not self.limit:
            return
        self._poll()
        if not self.running:
            self._launch()

    def _poll(self) -> None:
        for proc in [p for p in self.running if p.poll() is not None]:
            self.running.remove(proc)
            self._reap(proc)

    def _launch(self, parts: int = 1) -> None:
        if not self.pending:
            return
        assert self.promtool is not None
        for files in _split(self.pending, parts):
            self.running.append(promtool_mod.start_check_rules(files, self.promtool))
        self.checked += self.pending
        self.pending = []

    def _reap(self, proc: subprocess.Popen[bytes]) -> None:
        try:
            proc.communicate(timeout=promtool_mod.PROMTOOL_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        self.passed = self.passed and proc.returncode == 0

    def launch_rest(self) -> None:
        """Rendering is over and its cores are free: check what is pending in parallel runs,
        one a core up to MAX_FINAL_RUNS."""
        self._launch(parts=min(usable_cpus(), MAX_FINAL_RUNS))

    def finish(self) -> bool:
        """Wait for every run; True when all passed (failures are traced by the full check)."""
        self.launch_rest()
        for proc in self.running:
            self._reap(proc)
        self.running = []
        return self.passed

    def abandon(self) -> None:
        for proc in self.running:
            proc.kill()
            proc.communicate()
        self.running = []


def _split(files: list[Path], parts: int) -> list[list[Path]]:
    """`files` in at most `parts` runs of about the same size in bytes (promtool's time
    follows the rules a file holds), each in the order given."""
    if parts <= 1 or len(files) <= 1:
        return [files]
    sizes: dict[Path, int] = {}
    for path in files:
        try:
            sizes[path] = path.stat().st_size
        except OSError:
            sizes[path] = 0
    loads = [0] * min(parts, len(files))
    chosen: dict[Path, int] = {}
    for path in sorted(files, key=lambda p: -sizes[p]):  # largest first, to the lightest run
        part = loads.index(min(loads))
        chosen[path] = part
        loads[part] += sizes[path]
    return [run for part in range(len(loads))
            if (run := [p for p in files if chosen[p] == part])]


@dataclass
class Produced:
    """What `produce` staged."""

    changes: outdir.Changes
    files: int  # generated files, the manifest aside
    rendered: list[str] = field(default_factory=list)  # services whose files were rendered
    entries: dict[str, Entry] = field(default_factory=dict)
    recorded: frozenset[str] = frozenset()  # every series the rule files record
    # promtool on the changed rule files, its last runs still going when `produce` returns:
    # the caller runs its other checks meanwhile, then waits (`rules_ok`).
    rule_check: RuleCheck = field(default_factory=lambda: RuleCheck(None))

    def rules_ok(self) -> bool:
        """Wait for the background `promtool check rules` runs; True when all passed."""
        return self.rule_check.finish()

    def abandon(self) -> None:
        """Stop the background rule checks (the output is being discarded)."""
        self.rule_check.abandon()

    def known_output(self, changed: frozenset[str]) -> grafana.Known:
        """What the Grafana check need not read again (see grafana.Known)."""
        rendered = set(self.rendered)
        dashboards = {rel: frozenset(names) for name, entry in self.entries.items()
                      if name not in rendered for rel, names in entry.dashboards.items()
                      if rel not in changed}
        return grafana.Known(self.recorded, dashboards, changed)

    def remember(self, read: Mapping[str, frozenset[str]]) -> None:
        """Record what the Grafana check read of each service's dashboards."""
        for entry in self.entries.values():
            for rel in entry.files:
                if rel in read:
                    entry.dashboards[rel] = sorted(read[rel])


def produce(model: Model, stager: outdir.Stager, inputs: incremental.Inputs | None,
            keys: Mapping[str, str], cache: Mapping[str, Entry], promtool: str | None = None,
            shared_done: Callable[[frozenset[str]], None] | None = None) -> Produced:
    """Stage every file `model` generates; raise SpecErrors for rules that write one series
    twice or do not parse (nothing is swapped in then: the caller discards the stager).

    `keys` and `cache` say which services' files can be carried over from out/; with
    `promtool`, the changed rule files are checked in the background as they are written.
    The files that read every service are staged first; `shared_done` is then called with
    those of them that changed (to start their checks while the services render). With many
    services to render, a forked helper renders every other one (see _Helper)."""
    lay = rule_files.layout(model.prometheus)
    # Per service: the writers of its rules (rendered), or their rows (carried over).
    found: dict[str, list[writers.Writer] | Entry] = {}
    errors: list[SpecError] = []
    entries: dict[str, Entry] = {}
    check = RuleCheck(promtool)
    to_render = [s for s in model.services
                 if (key := keys.get(s.name)) is None or (e := cache.get(s.name)) is None
                 or e.key != key]
    claims = _Claims(len(to_render))
    helper = _Helper.start(model, stager, lay, to_render, claims)
    check.limit = run_limit(1 if helper is None else 2)

    def rendered(service: Service, files: dict[str, str], mine: list[writers.Writer]) -> None:
        found[service.name] = mine
        key, entry = keys.get(service.name), cache.get(service.name)
        if key is not None:
            # Its unit tests passed before if its Prometheus files are the same.
            tested = entry is not None and entry.tested and _prometheus_files(
                entry.files) == _prometheus_files(files)
            entries[service.name] = Entry(key, files, None, tested, rendered=mine)

    by_name = {s.name: s for s in model.services}

    def take(result: Mapping[str, Any]) -> None:
        rendered(by_name[result["service"]], *_Helper.merge(result, stager, errors))

    try:
        changed_shared = {path.as_posix() for path, text in registry.render_shared(model)
                          if stager.put(path, text)}
        if shared_done is not None:
            shared_done(frozenset(changed_shared))
        with rule_files.shared_rules():
            rendering = {s.name for s in to_render}
            for service in model.services:
                entry = cache.get(service.name)
                if service.name in rendering or entry is None:
                    continue
                if _carry_over(stager, entry):
                    found[service.name] = entry
                    entries[service.name] = entry
                else:  # a file it made is gone from out/: made again
                    rendered(service, *_render_service(model, service, lay, stager, check,
                                                       errors))
            while (index := claims.claim()) is not None:
                if helper is not None:
                    helper.poll(check, take)
                if claims.count - index <= EAGER_CHECK_SERVICES:
                    check.launch_if_idle()
                service = to_render[index]
                rendered(service, *_render_service(model, service, lay, stager, check, errors))
            # Every service is taken: the helper's last rule files wait for `check.finish`,
            # which checks them on both cores once rendering is over.
            check.closing = True
            if helper is not None:
                helper.finish(check, take)
            for service in model.services:
                if service.name not in found:  # the helper failed before it: rendered here
                    rendered(service, *_render_service(model, service, lay, stager, check,
                                                       errors))
        # Every rule file is written: the last ones are checked now, on both cores, while the
        # caller runs its other checks.
        check.launch_rest()
        order = [found[s.name] for s in model.services]
        errors += writers.clash_errors(_to_compare(order))
        recorded = frozenset(
            name for part in order for kind, name in _kinds_and_names(part) if kind == "record")
        found.clear()
        del order
        if errors:
            raise SpecErrors(errors)
        changes = stager.finish(inputs)
    except BaseException:
        check.abandon()
        if helper is not None:
            helper.abandon()
        raise
    finally:
        claims.close()
    names = [s.name for s in model.services if s.name not in entries
             or entries[s.name] is not cache.get(s.name)]
    return Produced(changes, len(stager.digests) - 1, names, entries, recorded, check)


# Fewer services to render than this are rendered in this process alone.
PARALLEL_MIN_SERVICES = 8


class _Collect(RuleCheck):
    """The rule files a helper staged changed, for the parent's promtool runs."""

    def __init__(self) -> None:
        super().__init__(None)

    def add(self, path: Path) -> None:
        self.pending.append(path)


class _Claims:
    """The services to render, handed out one at a time to this process and its forked helper
    (each takes the next one when it is done with the last), so both cores stay busy until
    the end: a fixed split left one idle for the last few hundred milliseconds."""

    def __init__(self, count: int) -> None:
        self.count = count
        # An anonymous shared mapping: a forked helper reads and writes the same counter.
        self.next = mmap.mmap(-1, 8)
        # POSIX record locks belong to a process, so this one excludes the helper too (a
        # flock on the inherited descriptor would not).
        self.lock = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def claim(self) -> int | None:
        """The index of the next service to render, or None when every one is taken."""
        fcntl.lockf(self.lock, fcntl.LOCK_EX)
        try:
            index = int.from_bytes(self.next[:8], "little")
            if index >= self.count:
                return None
            self.next[:8] = (index + 1).to_bytes(8, "little")
            return index
        finally:
            fcntl.lockf(self.lock, fcntl.LOCK_UN)

    def close(self) -> None:
        self.next.close()
        self.lock.close()


class _Helper:
    """A forked copy of this process that renders services into the same staging directory,
    on another core, while this one renders others: each takes the next from `_Claims`.

    It sends one JSON line per service (its files' digests, its rules as writer rows, its
    rule problems, which files it staged as added or changed, the rule files to check) and
    exits; the parent merges them as if it had rendered those services itself (the output
    is the same: each service's files depend on the model alone). If it fails, the parent
    renders whatever it did not send."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd
        self.buffer = b""

    @classmethod
    def start(cls, model: Model, stager: outdir.Stager, lay: rule_files.Layout,
              services: list[Service], claims: _Claims) -> _Helper | None:
        if len(services) < PARALLEL_MIN_SERVICES or not forking.available():
            return None
        read, write = os.pipe()

        def work() -> None:
            os.close(read)
            _help(model, stager, lay, services, claims, write)

        pid = forking.start(work)
        os.close(write)
        os.set_blocking(read, False)
        return cls(pid, read)

    def poll(self, check: RuleCheck, take: Callable[[Mapping[str, Any]], None]) -> None:
        """Hand each service the helper sent so far to `take` (without waiting); check its
        rule files."""
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                return
            self._take(chunk, check, take)

    def _take(self, chunk: bytes, check: RuleCheck,
              take: Callable[[Mapping[str, Any]], None]) -> None:
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            result = orjson.loads(line)
            for rel in result["rules"]:
                check.add(Path(rel))
            take(result)

    def finish(self, check: RuleCheck, take: Callable[[Mapping[str, Any]], None]) -> None:
        """Wait for the helper, handing the services it sent to `take` (a line cut short by
        its death is dropped: that service is rendered again)."""
        os.set_blocking(self.fd, True)
        while chunk := os.read(self.fd, 1 << 16):
            self._take(chunk, check, take)
        os.close(self.fd)
        os.waitpid(self.pid, 0)

    def abandon(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)

    @staticmethod
    def merge(result: Mapping[str, Any], stager: outdir.Stager, errors: list[SpecError]
              ) -> tuple[dict[str, str], list[writers.Writer]]:
        """Record in `stager` the files the helper staged for one service."""
        files: dict[str, str] = dict(result["files"])
        for rel, value in files.items():
            if rel in stager.digests:
                raise ValueError(f"two targets both write {rel}")
            stager.digests[rel] = value
        stager.added += result["added"]
        stager.modified += result["modified"]
        errors += [SpecError(*p) for p in result["problems"]]
        return files, [writers.from_record(r) for r in result["records"]]


def _help(model: Model, stager: outdir.Stager, lay: rule_files.Layout,
          services: list[Service], claims: _Claims, fd: int) -> None:
    """The helper's work: render the `services` it claims, one JSON line each to `fd`."""
    with os.fdopen(fd, "wb") as out, rule_files.shared_rules():
        while (index := claims.claim()) is not None:
            service = services[index]
            stager.added, stager.modified = [], []
            check = _Collect()
            problems: list[SpecError] = []
            files, mine = _render_service(model, service, lay, stager, check, problems)
            out.write(orjson.dumps({
                "service": service.name, "files": files,
                "records": [writers.to_record(w) for w in mine],
                "problems": [[p.file, p.line, p.column, p.path, p.message] for p in problems],
                "added": stager.added, "modified": stager.modified,
                "rules": [str(p) for p in check.pending], "complete": True}) + b"\n")
            out.flush()


def _kinds_and_names(part: list[writers.Writer] | Entry) -> Iterator[tuple[str, str]]:
    if isinstance(part, Entry):
        return ((r[0], r[1]) for r in part.records or ())
    return ((w.kind, w.name) for w in part)


def _to_compare(found: list[list[writers.Writer] | Entry]) -> list[writers.Writer]:
    """The writers the series-clash check must compare, in service order: every rendered one,
    and the carried-over ones that share a kind and name with one of those and could write one
    of their series.

    Carried-over services were checked together by the generate that cached them (a cache is
    only written after a generate passed), so no two of them clash: a clash now involves a
    rendered rule, and the check finds it among the rules of its name. A carried-over rule
    that pins a label every rendered rule of its name pins, to a value none of them has (a
    rule of another service: `service="b"` against `service="a"`), is disjoint from all of
    them (`writers.disjoint`'s first test) and is left out without being read into a writer."""
    if not any(isinstance(part, Entry) for part in found):
        # Nothing carried over (a first generate, or every service changed): the pins below
        # only sort carried-over rules, and every rendered one is compared anyway.
        return [w for part in found if not isinstance(part, Entry) for w in part]
    pinned: dict[tuple[str, str], dict[str, set[str]]] = {}
    for part in found:
        if not isinstance(part, Entry):
            for w in part:
                fixed = w.fixed()
                key = (w.kind, w.name)
                known = pinned.get(key)
                if known is None:
                    pinned[key] = {k: {v} for k, v in fixed.items()}
                else:
                    for label in [k for k in known if k not in fixed]:
                        del known[label]
                    for label, values in known.items():
                        values.add(fixed[label])
    chosen: list[writers.Writer] = []
    for part in found:
        if not isinstance(part, Entry):
            chosen += part
            continue
        for row in part.records or ():
            by_label = pinned.get((row[0], row[1]))
            if by_label is None:
                continue
            row_fixed = {**row[4], **row[2]}  # what Writer.fixed() gives
            if any(label in row_fixed and row_fixed[label] not in values
                   for label, values in by_label.items()):
                continue
            chosen.append(writers.from_record(row))
    return chosen


def _prometheus_files(files: Mapping[str, str]) -> dict[str, str]:
    return {rel: value for rel, value in files.items()
            if PurePath(rel).parts[0] == rule_files.OUT_DIR.name}


def _carry_over(stager: outdir.Stager, entry: Entry) -> bool:
    """Stage a cached service's files from out/; False (nothing staged) if one is not there."""
    for rel, value in entry.files.items():
        if not stager.keep(rel, value):
            for done in [r for r in entry.files if r in stager.digests]:
                stager.forget(done)
            return False
    return True


def _render_service(model: Model, service: Service, lay: rule_files.Layout,
                    stager: outdir.Stager, check: RuleCheck,
                    errors: list[SpecError]) -> tuple[dict[str, str], list[writers.Writer]]:
    files: dict[str, str] = {}
    for path, text in registry.RULE_FILES(model, service).items():
        if stager.put(path, text) and path.parent == rule_files.OUT_DIR and \
                stager.staging is not None:
            check.add(stager.staging / path)
        files[path.as_posix()] = stager.digests[path.as_posix()]
    mine, problems = writers.service_writers(service, lay)
    errors += problems
    for path, text in registry.render_service(model, service):
        stager.put(path, text)
        files[path.as_posix()] = stager.digests[path.as_posix()]
    rule_files.forget(service)
    return files, mine
