"""The layers as rules: imports run downwards only (ARCHITECTURE.md), and no module imports itself round a circle.

Every import counts, including those inside functions and under ``TYPE_CHECKING``: a deferred import is still a
dependency. Layers, from the bottom:

    kernel  lesson/*.py (settings, curriculum, references, atomic writes, student code)  -> nothing above
    data    lesson/data/                                                                 -> kernel
    analysis lesson/analysis/                                                            -> data, kernel
    app     lesson/app/ (the only code that imports Streamlit)                           -> anything below
    grader  grader/                                                                      -> data, kernel
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lesson", "grader")
ALLOWED = {
    "kernel": {"kernel"},
    "data": {"data", "kernel"},
    "analysis": {"analysis", "data", "kernel"},
    "app": {"app", "analysis", "data", "kernel", "grader"},
    "grader": {"grader", "data", "kernel"},
}
ENTRY_POINTS = {"lesson.__main__"}  # `python -m lesson prepare`: a command, above every layer


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "grader":
        return "grader"
    if len(parts) > 1 and parts[1] in ("data", "analysis", "app"):
        return parts[1]
    return "kernel"


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports (``from lesson.data import bank`` counts as lesson.data.bank)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name.split(".")[0] in PACKAGES:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: imports_of(path, set(modules)) - {name} for name, path in modules.items()}


def _package_inits(module: str) -> set[str]:
    """Importing a.b.c runs a/__init__ and a/b/__init__ first: those are not arrows of their own."""
    parts = module.split(".")
    return {".".join(parts[:index]) for index in range(1, len(parts))}


def test_every_import_runs_down_the_layers():
    wrong = []
    for module, imported in _graph().items():
        if module in ENTRY_POINTS:
            continue
        for target in imported - _package_inits(module):
            if layer_of(target) not in ALLOWED[layer_of(module)]:
                wrong.append(f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})")
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_no_import_circle():
    graph = _graph()
    for module in graph:
        graph[module] -= _package_inits(module)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                circles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_only_the_app_imports_streamlit():
    importers = sorted(name for name, path in _modules().items()
                       if any(name_ == "streamlit" or name_.startswith("streamlit.")
                              for node in ast.walk(ast.parse(path.read_bytes()))
                              for name_ in ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                                            else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])))
    assert importers and all(layer_of(name) == "app" for name in importers), importers


@pytest.mark.parametrize("module, layer", [("lesson.config", "kernel"), ("lesson.data.bank", "data"),
                                           ("lesson.analysis.steps", "analysis"),
                                           ("lesson.app.lesson_pages.p1_network", "app"),
                                           ("grader.judging.hints", "grader")])
def test_layers_are_told_apart(module, layer):
    assert layer_of(module) == layer


def test_the_rules_catch_a_wrong_import(tmp_path):
    """The checker itself can fail: a data module importing the app is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from lesson.app import charts\nimport grader.engine\n")
    found = imports_of(bad, set(_modules()))
    assert found == {"lesson.app", "lesson.app.charts", "grader.engine"}
    assert {layer_of(name) for name in found} - ALLOWED["data"] == {"app", "grader"}
