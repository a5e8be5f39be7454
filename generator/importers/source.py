"""Read the files an import is given into located documents.

A file may hold one document, a `---` stream, or a top-level list of documents (oslo accepts
all three); a directory stands for every `.yaml`/`.yml` file under it. Every value is wrapped in
a `Node` that knows its file, line and key path, so findings name where they come from, and
whose accessors check types, so a malformed document is a located finding, never a crash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator.importers.report import Finding

SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 4 * 1024 * 1024


class Invalid(Exception):
    """The input breaks its own format's rules at `node`."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class Skip(Exception):
    """The input is valid but slogen cannot express it; the SLO at `node` is skipped."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


@dataclass(frozen=True)
class Node:
    """One value of a document with where it is written."""

    value: Any
    file: str
    line: int | None
    path: str

    def where(self) -> tuple[str, int | None, str]:
        """File, line and key path, for a Finding."""
        return self.file, self.line, self.path

    def get(self, key: str) -> Node | None:
        """The child under `key` of a mapping; None if absent, null or not a mapping."""
        if not isinstance(self.value, dict) or key not in self.value:
            return None
        child = self.value[key]
        if child is None:
            return None
        return Node(child, self.file, _line_of(self.value, key, self.line), self._join(key))

    def has(self, key: str) -> bool:
        """Whether `key` is written in this mapping with a value."""
        return self.get(key) is not None

    def keys(self) -> list[str]:
        """The keys of a mapping (none for other values)."""
        return [str(k) for k in self.value] if isinstance(self.value, dict) else []

    def items(self) -> Iterator[tuple[str, Node]]:
        """Key and child of every entry of a mapping."""
        for key in self.keys():
            child = self.get(key)
            if child is not None:
                yield key, child

    def elements(self) -> list[Node]:
        """The items of a list; a single mapping counts as a list of one."""
        if isinstance(self.value, dict):
            return [self]
        if not isinstance(self.value, list):
            return []
        return [Node(v, self.file, _line_of(self.value, i, self.line), f"{self.path}[{i}]")
                for i, v in enumerate(self.value) if v is not None]

    def is_map(self) -> bool:
        """Whether this is a mapping."""
        return isinstance(self.value, dict)

    def text(self) -> str | None:
        """A scalar as text (None for mappings and lists)."""
        if isinstance(self.value, (dict, list)):
            return None
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    def number(self) -> float:
        """A number, or a string that holds one; raise Invalid otherwise."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise Invalid(self, f"{_shown(value)} is not a number")
        try:
            number = float(value)
        except ValueError:
            raise Invalid(self, f"{_shown(value)} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise Invalid(self, f"{_shown(value)} is not a finite number")
        return number

    def is_kubernetes_object(self) -> bool:
        """Whether this looks like some other Kubernetes object (apiVersion, kind, metadata),
        as the other documents of a manifest file do; SLO formats are not."""
        api, kind = self.str_at("apiVersion"), self.str_at("kind")
        return bool(api and kind and self.has("metadata") and ("/" in api or api == "v1")
                    and self.slo_format() is None)

    def slo_format(self) -> str | None:
        """Which importer reads this document (openslo, sloth, pyrra), by its version."""
        api = (self.str_at("apiVersion") or "").lower()
        if api.startswith(("openslo/", "openslo.com/")):
            return "openslo"
        if api.startswith("pyrra.dev/"):
            return "pyrra"
        if api.startswith("sloth.slok.dev/") or self.str_at("version") == "prometheus/v1":
            return "sloth"
        return None

    def str_at(self, key: str) -> str | None:
        """The scalar under `key` as text, None if absent."""
        child = self.get(key)
        return None if child is None else child.text()

    def _join(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(str(value)) if not isinstance(value, (int, float)) else str(value)


def _line_of(container: Any, key: Any, fallback: int | None) -> int | None:
    """1-based line where `key` of a ruamel mapping (or item of a list) is written."""
    lc = getattr(container, "lc", None)
    if lc is None:
        return fallback
    try:
        pos = lc.item(key) if isinstance(container, list) else lc.key(key)
        return int(pos[0]) + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return fallback


def input_files(paths: list[Path]) -> tuple[list[Path], list[Finding]]:
    """The files to read: files as given, directories searched for YAML files, sorted."""
    files: list[Path] = []
    problems: list[Finding] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not found:
                problems.append(Finding.error(str(path), None, "", "no .yaml or .yml file in "
                                              "this directory"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Finding.error(str(path), None, "", "no such file or directory"))
    return files, problems


def read_documents(path: Path) -> tuple[list[Node], list[Finding]]:
    """Every document of a file, top-level lists flattened; a located error if unreadable."""
    shown = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [Finding.error(shown, None, "", f"larger than {MAX_FILE_BYTES} bytes")]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Finding.error(shown, None, "", f"cannot read: {exc}")]
    return parse_documents(text, shown)


def parse_documents(text: str, shown: str) -> tuple[list[Node], list[Finding]]:
    """Documents of YAML text named `shown` in findings."""
    yaml = YAML(typ="rt", pure=True)
    try:
        raw = list(yaml.load_all(text))
    except (YAMLError, ValueError, TypeError, RecursionError, AttributeError,
            IndexError, KeyError, AssertionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else ""
        return [], [Finding.error(shown, line, "", f"not valid YAML: {problem}")]
    docs: list[Node] = []
    for doc in raw:
        if doc is None:
            continue
        line = getattr(getattr(doc, "lc", None), "line", None)
        node = Node(doc, shown, line + 1 if isinstance(line, int) else None, "")
        if isinstance(doc, list):
            docs.extend(Node(item.value, shown, item.line, "") for item in node.elements())
        else:
            docs.append(node)
    return docs, []
