"""Exercise stubs and reference solutions must not drift apart: same functions, signatures and docstrings."""

import ast
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["rsa", "pca", "stimuli"]


def _public_functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}


@pytest.mark.parametrize("module", MODULES)
def test_every_solution_has_an_identical_stub(module):
    solutions = _public_functions(ROOT / "solutions" / f"{module}.py")
    stubs = _public_functions(ROOT / "exercises" / f"{module}.py")
    assert set(solutions) == set(stubs), f"functions differ: {set(solutions) ^ set(stubs)}"
    for name, solution in solutions.items():
        stub = stubs[name]
        assert ast.dump(solution.args) == ast.dump(stub.args), f"{module}.{name}: signatures differ"
        assert ast.get_docstring(solution) == ast.get_docstring(stub), f"{module}.{name}: docstrings differ"


@pytest.mark.parametrize("module", MODULES)
def test_stubs_raise_not_implemented_with_a_pointer_to_the_lesson(module):
    import importlib

    from lesson.curriculum import EXERCISES_BY_NAME, page

    stubs = importlib.import_module(f"exercises.{module}")
    for name, function in inspect.getmembers(stubs, inspect.isfunction):
        if function.__module__ != stubs.__name__:
            continue
        arguments = [None] * sum(1 for p in inspect.signature(function).parameters.values()
                                 if p.default is inspect.Parameter.empty)
        taught_on = page(EXERCISES_BY_NAME[name].page).label  # the curriculum's page, e.g. "page 2 (...)"
        with pytest.raises(NotImplementedError, match=re.escape(f"see {taught_on} of the lesson")):
            function(*arguments)


def test_the_lesson_contract_table_is_covered():
    wanted = {"get_similarity_matrix", "extract_lower_tri_entries", "spearman_corrcoef", "second_order_similarity",
              "PCA", "components_to_reach", "redness", "pick_redness_extrema"}
    found = set()
    for module in MODULES:
        found |= set(_public_functions(ROOT / "solutions" / f"{module}.py"))
    assert wanted <= found
