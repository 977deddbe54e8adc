"""The package's layout tells its pipeline: a few folders by stage, and no module imports one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

from perrypress.resources import PACKAGE

# The top of the package: one folder per stage of the pipeline and per command, and the base every folder uses.
FOLDERS = {"sources", "products", "editions", "workflow", "review", "publish", "preview", "new", "add"}
MODULES = {"__init__.py", "cli.py", "errors.py", "resources.py", "toolchain.py", "verify.py", "screenshots.py"}


def module_names() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name, not ``__init__``)."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports() -> dict[str, set[str]]:
    """The package's modules each module imports, at its top or inside a function."""
    names = module_names()
    graph: dict[str, set[str]] = {name: set() for name in names}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                found = {target} | {f"{target}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                found = {alias.name for alias in node.names}
            else:
                continue
            graph[name] |= {module for module in found if module in names and module != name}
    return graph


def test_the_top_of_the_package_is_its_stages_and_commands() -> None:
    """Only the stage and command folders, and the base modules, sit at the top of src/perrypress/."""
    top = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    assert {p for p in top if (PACKAGE / p).is_dir()} == FOLDERS
    assert {p for p in top if (PACKAGE / p).is_file()} == MODULES


def test_no_module_imports_one_that_imports_it_back() -> None:
    """The import graph has no cycle, of two modules or more (Tarjan's strongly connected components)."""
    graph = imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


def test_the_import_reader_sees_a_cycle(tmp_path: Path, monkeypatch) -> None:
    """The check above can fail: two modules that import each other are found."""
    package = tmp_path / "perrypress"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import x\n")
    (package / "b.py").write_text("def x():\n    from .a import y\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", package)
    graph = imports()
    assert graph["perrypress.a"] == {"perrypress.b"} and graph["perrypress.b"] == {"perrypress.a"}


def test_no_two_modules_share_a_name() -> None:
    """A module's name says what it holds: none is repeated in another folder (packages' __init__ aside)."""
    stems = [p.stem for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"]
    assert sorted({s for s in stems if stems.count(s) > 1}) == []
