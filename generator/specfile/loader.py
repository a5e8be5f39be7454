"""Read spec files (YAML or Jsonnet) into spec models, keeping every key's line and column.

Every problem in every file is collected and raised together as `SpecErrors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from generator.core.errors import SpecError, SpecErrors
from generator.specfile.jsonnet_read import read_jsonnet_files
from generator.specfile.messages import kind_of, translate_errors
from generator.specfile.models import SPEC_VERSION, GlobalSpec, ServiceSpec
from generator.specfile.parallel_read import Prefetch, read_text, read_texts
from generator.specfile.prom_text import text_errors
from generator.specfile.secrets import find_inline_secrets, without_secret_paths
from generator.specfile.sourcetext import JSONNET_LIB_DIR, read_spec_text
from generator.specfile.sourcetext import shown_name as _display
from generator.specfile.sourcetext import spec_files as _spec_files
from generator.specfile.sql_specs import sql_errors
from generator.specfile.yamlread import Locator, parse_yaml

if TYPE_CHECKING:
    from generator.specfile.speccache import SpecCache

__all__ = ["LoadedService", "LoadedSpecs", "Locator", "load_specs", "parse_yaml",
           "read_document", "translate_errors"]

GLOBAL_FILE_STEM = "_global"


@dataclass(frozen=True)
class LoadedService:
    """A parsed service file and where its keys are."""

    spec: ServiceSpec
    locator: Locator


@dataclass(frozen=True)
class LoadedSpecs:
    """Everything read from a spec directory."""

    services: tuple[LoadedService, ...]
    global_spec: GlobalSpec
    global_locator: Locator


def load_specs(spec_dir: Path, display_root: Path | None = None,
               cache: SpecCache | None = None,
               prefetched: Prefetch | None = None) -> LoadedSpecs:
    """Load `_global` and every service file in `spec_dir`; raise SpecErrors with all problems.

    With `cache`, a YAML file read without any problem before (same name, same text) is not
    parsed or checked again, only validated into its model; files read without problems now
    are added to it."""
    root = display_root if display_root is not None else Path.cwd()
    if not spec_dir.is_dir():
        problem = ("is a file, not the spec directory; pass the directory holding it, "
                   f"--specs {spec_dir.parent}" if spec_dir.exists() else
                   "spec directory does not exist; pass --specs DIR")
        raise SpecErrors([SpecError(str(spec_dir), None, None, "(directory)", problem)])
    errors: list[SpecError] = []
    services: list[LoadedService] = []
    global_spec: GlobalSpec | None = None
    global_locator = Locator(_display(spec_dir / "_global.yaml", root))
    files = _spec_files(spec_dir)
    outside = [p for p in files if spec_dir.resolve() not in p.resolve().parents]
    errors.extend(SpecError(f"{_display(spec_dir, root)}/{p.relative_to(spec_dir)}", 1, 1,
                            "(document)",
                            "the file is a symlink to a file outside the spec directory, which "
                            "is not read; copy the file in") for p in outside)
    files = [p for p in files if p not in outside]
    jsonnet = read_jsonnet_files(  # one sandboxed child process evaluates them all
        [(p, _display(p, root)) for p in files if p.suffix == ".jsonnet"],
        spec_dir, _display(spec_dir, root), spec_dir / JSONNET_LIB_DIR)
    texts = _yaml_texts(files, jsonnet, root)
    # The YAML files not read before, read (parsed and scanned) together: on two cores when
    # there are many (see parallel_read.py).
    unread = [(path, text) for path, text in texts.items()
              if isinstance(text, str) and (cache is None or not cache.has(_display(path, root),
                                                                           text))]
    done = dict(zip((path for path, _ in unread), read_texts(
        [(text, _display(path, root)) for path, text in unread], prefetched), strict=True))
    for path in files:
        shown = _display(path, root)
        text = None
        model = GlobalSpec if path.stem == GLOBAL_FILE_STEM else ServiceSpec
        secrets: list[SpecError] | None = None
        try:
            read = jsonnet.get(path)
            if isinstance(read, SpecErrors):
                raise read
            if read is None and path.suffix != ".jsonnet":
                got = texts[path]
                if isinstance(got, SpecErrors):
                    raise got
                text = got
                known = cache.get(shown, text) if cache is not None else None
                if known is not None and (spec := _validate(model, *known, [])) is not None:
                    # Read without a problem before: the same checks would pass again.
                    if model is GlobalSpec:
                        global_locator, global_spec = known[1], spec
                    else:
                        services.append(LoadedService(spec, known[1]))
                    continue
                result = done.get(path) or read_text(text, shown)
                if isinstance(result, SpecErrors):
                    raise result
                data, locator, secrets, found = result
            else:
                data, locator = read if read is not None else read_document(path, shown)
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        if secrets is None:
            secrets = find_inline_secrets(data, locator)
            found = text_errors(data, locator)
        errors.extend(secrets)
        spec = _validate(model, data, locator, found)
        if model is GlobalSpec:
            global_locator = locator
            global_spec = spec
        elif spec is not None:
            services.append(LoadedService(spec, locator))
        errors.extend(without_secret_paths(found, secrets))
        if cache is not None and text is not None and spec is not None and not secrets \
                and not found:
            cache.put(shown, text, data, locator)
    if global_spec is None and not any(p.stem == GLOBAL_FILE_STEM for p in files):
        global_spec = GlobalSpec(version=SPEC_VERSION)
    if global_spec is not None:
        errors.extend(sql_errors([(s.spec, s.locator) for s in services], global_spec))
    if errors:
        raise SpecErrors(errors)
    assert global_spec is not None
    return LoadedSpecs(tuple(services), global_spec, global_locator)


def _yaml_texts(files: list[Path], jsonnet: Mapping[Path, object],
                root: Path) -> dict[Path, str | SpecErrors]:
    """The text of every YAML spec file (or why it cannot be read)."""
    texts: dict[Path, str | SpecErrors] = {}
    for path in files:
        if path.suffix != ".jsonnet" and path not in jsonnet:
            try:
                texts[path] = read_spec_text(path, _display(path, root))
            except SpecErrors as exc:
                texts[path] = exc
    return texts


def read_document(path: Path, shown: str, jsonnet_lib: Path | None = None) -> tuple[Any, Locator]:
    """Read one file into plain Python data plus a Locator; errors become SpecErrors."""
    if path.suffix == ".jsonnet":
        read = read_jsonnet_files([(path, shown)], path.parent, str(Path(shown).parent),
                                  jsonnet_lib)[path]
        if isinstance(read, SpecErrors):
            raise read
        return read
    return parse_yaml(read_spec_text(path, shown), shown)


def _validate(model: type[BaseModel], data: Any, locator: Locator,
              errors: list[SpecError]) -> Any:
    if not isinstance(data, dict):
        errors.append(locator.error((), f"expected a mapping starting with `version: "
                                        f"{SPEC_VERSION}`, got {kind_of(data)}"))
        return None
    version = data.get("version")
    if version != SPEC_VERSION:
        message = (f"unsupported version {version!r}; expected {SPEC_VERSION}"
                   if "version" in data
                   else f"missing version; add `version: {SPEC_VERSION}` as the first line")
        errors.append(locator.error(("version",), message))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors.extend(translate_errors(model, exc.errors(), locator, data))
        return None
