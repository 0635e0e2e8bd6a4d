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


def _as_got(value):
    from grader.judging.compare import Output

    array = np.asarray(value)
    return Output("number" if array.ndim == 0 else "array", "numpy.ndarray", array)


def test_every_mistake_shown_in_output_has_a_formulation_and_back():
    from grader.judging.formulations import MISTAKEN

    assert set(MISTAKEN) == set(CATALOGUE)
    for name, mistakes in CATALOGUE.items():
        assert {mistake.signature for mistake in mistakes if mistake.shows_in_output} == set(MISTAKEN[name]), name
        assert len({mistake.signature for mistake in mistakes}) == len(mistakes), name  # signatures are unique


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.name)
@pytest.mark.parametrize("which", ["public", "hidden"])
def test_every_mistake_can_be_told_apart_on_some_case(reference_source, bank, exercise, which):
    """A mistake without a signature on any small case could never get its hint (in either case set); given its
    own signature as the output, the diagnosis names it."""
    from grader.cases.case_sets import hidden_case_set
    from grader.cases.case_sources import ReferenceSource
    from grader.judging.compare import Output

    source = reference_source if which == "public" else ReferenceSource(bank, hidden_case_set(b"k" * 32))
    cases = source.cases(exercise, ("edge", "random"))
    for mistake in exercise.mistakes:
        if not mistake.shows_in_output:
            continue
        fired = False
        for case in (case for case in cases if mistake.signature in case.signatures):
            signature = case.signatures[mistake.signature]
            if mistake.part is None:
                got = _as_got(signature)
            else:
                parts = [np.asarray(part) for part in case.expected]
                parts[mistake.part] = np.asarray(signature)
                got = Output("sequence", "tuple", items=tuple(_as_got(part) for part in parts))
            if mistake.hint in diagnose(exercise.mistakes, case.signatures, got, exercise.output, exercise.tolerance):
                fired = True
                break
        assert fired, f"{exercise.name}: mistake {mistake.signature} never shows on a small {which} case"


def test_error_hints_match_the_exception_text():
    assert diagnose_error(CATALOGUE["get_similarity_matrix"], "ValueError: m has more than 2 dimensions",
                          tensor=False)[0].startswith("Flatten each image")
    tensor_text = "AttributeError: 'Tensor' object has no attribute 'astype'"
    assert any("torch tensor" in hint for hint in diagnose_error(CATALOGUE["PCA"], tensor_text, tensor=True))
    assert diagnose_error(CATALOGUE["PCA"], tensor_text, tensor=False) == []
