"""The hint catalogue: enough plausible mistakes per exercise, each one able to fire, all of it free of the references."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from grader.judging.hints import CATALOGUE, diagnose, diagnose_error
from grader.registry import EXERCISES

JUDGING = Path(__file__).resolve().parents[3] / "grader" / "judging"


def test_at_least_five_mistakes_per_exercise():
    assert set(CATALOGUE) == {exercise.name for exercise in EXERCISES}
    for name, mistakes in CATALOGUE.items():
        assert len({mistake.id for mistake in mistakes}) >= 5, name


@pytest.mark.parametrize("module", ["hints.py", "formulations.py", "compare.py"])
def test_the_mistaken_formulations_do_not_use_the_reference_solutions(module):
    tree = ast.parse((JUDGING / module).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "collections", "dataclasses", "re", "warnings", "numpy", "grader"}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.name)
def test_every_mistake_can_be_told_apart_on_some_case(reference_source, exercise):
    """A mistake whose output equals the reference on every small case could never get its hint."""
    from grader.judging.compare import Output

    cases = reference_source.cases(exercise, ("edge", "random"))
    for mistake in exercise.mistakes:
        if mistake.produce is None:
            continue
        fired = False
        for case in cases:
            try:
                with np.errstate(all="ignore"):
                    mistaken = mistake.produce(*case.args, **case.kwargs)
            except Exception:  # noqa: BLE001 (not applicable to this input)
                continue
            if mistaken is None:
                continue
            if isinstance(mistaken, tuple):
                got = Output("sequence", "tuple", items=tuple(Output("array", "numpy.ndarray", np.asarray(part))
                                                              for part in mistaken))
            else:
                mistaken_array = np.asarray(mistaken)
                got = Output("number" if mistaken_array.ndim == 0 else "array", "numpy.ndarray", mistaken_array)
            hints = diagnose(exercise.mistakes, case.args, case.kwargs, got, case.expected, exercise.output,
                             exercise.tolerance)
            if mistake.hint in hints:
                fired = True
                break
        assert fired, f"{exercise.name}: mistake {mistake.id} never shows on a small case"


def test_error_hints_match_the_exception_text():
    assert diagnose_error(CATALOGUE["get_similarity_matrix"], "ValueError: m has more than 2 dimensions",
                          tensor=False)[0].startswith("Flatten each image")
    tensor_text = "AttributeError: 'Tensor' object has no attribute 'astype'"
    assert any("torch tensor" in hint for hint in diagnose_error(CATALOGUE["PCA"], tensor_text, tensor=True))
    assert diagnose_error(CATALOGUE["PCA"], tensor_text, tensor=False) == []
