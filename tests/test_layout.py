"""The package's layout: one folder per stage or command, imports one way, private helpers kept inside.

Read from the source with ``ast`` (imports inside functions count, ``TYPE_CHECKING`` blocks do
not), so a lazy import that runs against the stage order fails here as surely as a top-level one.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

import graphspec

PACKAGE = Path(graphspec.__file__).parent

# The stages and commands in pipeline order (docs/internals/architecture.md): each may import
# only from those before it. `graphspec/__init__.py`, the public façade, may import any of them
# and none may import it.
ORDER = (
    "_version",
    "errors",
    "_util",
    "source",
    "expand",
    "spec",
    "catalog",
    "graph",
    "shapes",
    "budget",
    "lint",
    "emit",
    "pipeline",
    "importer",
    "diff",
    "summary",
    "schema",
    "render",
    "data",
    "train",
    "export",
    "tune",
    "lsp",
    "cli",
    "__main__",
)
# Underscored, but shared by every stage on purpose: the small helpers and the version.
SHARED_PRIVATE = {"_util", "_version"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted
    name: str | None  # the name taken from it (``from target import name``), if any
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def _imports(module: str, path: Path) -> Iterator[Import]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "graphspec":
                    yield Import(module, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "graphspec":
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in MODULES:  # `from graphspec import catalog` imports the module graphspec.catalog
                    yield Import(module, full, None, node.lineno)
                else:
                    yield Import(module, target, alias.name, node.lineno)


IMPORTS = [imp for module, path in MODULES.items() for imp in _imports(module, path)]


def _unit(module: str) -> str:
    """The stage or command a module belongs to: its first name below the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _where(imp: Import) -> str:
    return f"{MODULES[imp.source].relative_to(PACKAGE.parent)}:{imp.line}: {imp.source} imports {imp.target}" + (
        f".{imp.name}" if imp.name else ""
    )


def test_every_top_level_entry_is_a_stage_or_command_in_the_order() -> None:
    entries = {
        p.stem if p.suffix == ".py" else p.name
        for p in PACKAGE.iterdir()
        if p.name != "__pycache__" and (p.suffix == ".py" or p.is_dir())
    }
    assert entries - {"__init__"} == set(ORDER)


def test_no_import_runs_against_the_stage_order() -> None:
    rank = {unit: i for i, unit in enumerate(ORDER)}
    upward = [
        _where(imp)
        for imp in IMPORTS
        if _unit(imp.source) and (imp.target == "graphspec" or rank[_unit(imp.target)] > rank[_unit(imp.source)])
    ]
    assert not upward, "imports against the stage order:\n" + "\n".join(upward)


def test_private_helpers_stay_inside_their_package() -> None:
    def private(imp: Import) -> bool:
        below = imp.target.split(".")[2:]  # inside the target's own stage
        return any(part.startswith("_") and not part.startswith("__") for part in below) or bool(
            imp.name and imp.name.startswith("_") and not imp.name.startswith("__")
        )

    leaks = [
        _where(imp)
        for imp in IMPORTS
        if _unit(imp.source)
        and _unit(imp.target) != _unit(imp.source)
        and _unit(imp.target) not in SHARED_PRIVATE
        and private(imp)
    ]
    assert not leaks, "private names used outside their package:\n" + "\n".join(leaks)


def test_no_import_cycles() -> None:
    graph = nx.DiGraph()
    for imp in IMPORTS:
        if imp.source != imp.target:
            graph.add_edge(imp.source, imp.target)
    cycles = [" -> ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def test_the_checker_sees_an_upward_import_and_a_cycle() -> None:
    """The checks above read the real tree; this one proves they can fail."""
    found = [imp for imp in _imports("graphspec.graph", PACKAGE / "graph.py")]
    assert any(imp.target == "graphspec.spec" for imp in found)
    rank = {unit: i for i, unit in enumerate(ORDER)}
    assert rank["spec"] < rank["graph"] < rank["emit"]
    graph = nx.DiGraph([("graphspec.a", "graphspec.b"), ("graphspec.b", "graphspec.a")])
    assert list(nx.simple_cycles(graph))


# The public API and the module paths the docs name: these never move.
DOCUMENTED = {
    "graphspec.cli": ["main"],
    "graphspec.source": ["Limits"],
    "graphspec.budget": ["Budget"],
    "graphspec.lint": ["lint"],
    "graphspec.lint.values": ["expect", "refine"],
    "graphspec.train": ["TrainingInterrupted", "fit", "evaluate", "predict"],
    "graphspec.spec": ["keras_name", "node_name", "Spec"],
    "graphspec.diff": ["normalise", "diff_specs"],
    "graphspec.importer": ["from_keras"],
    "graphspec.render": ["draw"],
    "graphspec.schema": ["json_schema"],
}


@pytest.mark.parametrize("name", graphspec.__all__)
def test_every_public_name_imports_from_the_root(name: str) -> None:
    assert getattr(graphspec, name) is not None


@pytest.mark.parametrize("module", sorted(DOCUMENTED))
def test_documented_paths_import(module: str) -> None:
    imported = importlib.import_module(module)
    assert [n for n in DOCUMENTED[module] if not hasattr(imported, n)] == []


def test_functions_named_like_their_packages_stay_functions_after_every_submodule_is_imported() -> None:
    for info in pkgutil.walk_packages(graphspec.__path__, "graphspec."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in ("expand", "export", "tune"):
        assert callable(getattr(graphspec, name)) and not isinstance(getattr(graphspec, name), type(graphspec)), name
