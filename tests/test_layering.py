"""The import graph of generator/ has no circle and no arrow pointing up (docs/architecture.md).

The graph is read from the source with `ast`, so imports inside functions, under
TYPE_CHECKING and module names given as strings count like any other: a lazy import cannot
hide a circle. `python tests/test_layering.py` prints the figures the architecture doc quotes.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Lower number = lower layer. A module may import its own layer (circles aside) or lower ones.
LAYERS: dict[str, int] = {
    "generator": 0,
    "generator.core": 0,
    "generator.forking": 0,  # how helpers run, not what they do: readers and renderers use it
    "generator.specfile": 1,
    "generator.targets": 1,
    "generator.pipeline": 2,
    "generator.apply": 2,
    "generator.validate": 2,
    "generator.live": 2,
    "generator.backtest": 2,
    "generator.exporter": 2,
    "generator.importers": 2,
    "generator.bridge": 2,
    "generator.compare": 2,
    "generator.compare_markdown": 2,
    "generator.outdir": 2,
    "generator.incremental": 2,
    "generator.produce": 2,
    "generator.commands": 3,
    "generator.cli": 4,
    "generator.__main__": 5,
}

# Same layer, yet independent: the spec format never reaches a target, and no target reads
# another target's output (shared facts go to core, shared formatting to targets.dump).
SEPARATE = {("generator.targets", "generator.specfile"),
            ("generator.specfile", "generator.targets")}
TARGET_SHARED = ("generator.targets.dump", "generator.targets.registry", "generator.targets")

# Known wrong arrows still to remove; the test fails when one disappears, so the list shrinks.
PENDING: frozenset[tuple[str, str]] = frozenset()

# Type-only circles (imports under TYPE_CHECKING) still to untangle; this list may only shrink.
PENDING_CIRCLES: list[list[str]] = [
]


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the generator package."""
    found = {}
    for path in sorted((root / "generator").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(node: ast.AST, package: str, modules: Mapping[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parts = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(parts + ([base] if base else []))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            yield full if full in modules else base
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in modules:
        yield node.value  # importlib.import_module("generator.x") and the like


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the generator modules it imports anywhere in its source."""
    modules = module_files(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _imported(node, package, modules):
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target not in (name, "generator"):
                    edges.add(target)
        graph[name] = edges
    return graph


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def area(module: str) -> str:
    """The LAYERS key a module belongs to (its longest matching prefix)."""
    if module == "generator":
        return module
    parts = module.split(".")
    for size in range(len(parts), 1, -1):
        prefix = ".".join(parts[:size])
        if prefix in LAYERS:
            return prefix
    raise KeyError(f"{module} is in no layer: add its package to LAYERS in tests/test_layering.py")


def _target_group(module: str) -> str | None:
    parts = module.split(".")
    if module in TARGET_SHARED or len(parts) < 3 or parts[1] != "targets":
        return None
    return ".".join(parts[:3])


def wrong_arrows(graph: Mapping[str, set[str]]) -> list[tuple[str, str]]:
    """Imports that point to a higher layer, across separate areas, or between targets."""
    wrong = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            a, b = area(source), area(target)
            group = _target_group(source)
            other_target = group is not None and _target_group(target) not in (None, group)
            if LAYERS[b] > LAYERS[a] or (a, b) in SEPARATE or other_target:
                wrong.append((source, target))
    return wrong


def test_no_import_circle() -> None:
    found = circles(import_graph())
    assert [c for c in found if c not in PENDING_CIRCLES] == []
    assert [c for c in PENDING_CIRCLES if c not in found] == [], "fixed: drop from PENDING_CIRCLES"


def test_arrows_point_down() -> None:
    wrong = set(wrong_arrows(import_graph()))
    assert sorted(wrong - PENDING) == [], "see docs/architecture.md for what may import what"
    assert sorted(PENDING - wrong) == [], "fixed: remove these from PENDING"


def test_every_module_has_a_layer() -> None:
    for module in module_files():
        area(module)


def test_circle_finder_sees_a_lazy_import(tmp_path: Path) -> None:
    package = tmp_path / "generator"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from generator import b\n")
    (package / "b.py").write_text("def f():\n    from generator.a import x\n")
    (package / "c.py").write_text("import importlib\nimportlib.import_module('generator.b')\n")
    graph = import_graph(tmp_path)
    assert graph["generator.c"] == {"generator.b"}
    assert circles(graph) == [["generator.a", "generator.b"]]


def figures(root: Path = ROOT) -> str:
    """Modules, largest module, circles and wrong arrows, for the architecture doc."""
    files = module_files(root)
    graph = import_graph(root)
    lines, largest = max((len(p.read_text(encoding="utf-8").splitlines()), n)
                         for n, p in files.items())
    wrong = wrong_arrows(graph)
    out = [f"modules: {len(files)}", f"largest module: {largest} ({lines} lines)",
           f"import circles: {len(circles(graph))}", f"wrong arrows: {len(wrong)}"]
    out += [f"  {a} -> {b}" for a, b in wrong]
    return "\n".join(out)


if __name__ == "__main__":
    print(figures(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT))
