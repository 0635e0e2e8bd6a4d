"""A torch run that fails before the student's function is called is the machine's problem, said as such; a torch
run that fails inside the function is the student's, reported as before."""

from __future__ import annotations

import numpy as np
import pytest

from grader.cases.case import Case
from grader.judging.compare import Output
from grader.judging.verdicts import judge_exercise
from grader.registry import exercise
from grader.running.outcomes import CaseOutcome, TaskOutcome

REDNESS = exercise("redness")
IMAGES = np.random.default_rng(0).random((4, 3, 8, 8))
EXPECTED = IMAGES.mean(axis=(2, 3)) @ np.array([1.0, -0.5, -0.5])
NUMPY_CASES = [Case("edge: four images", (IMAGES,), expected=EXPECTED),
               Case("random: seed 1", (IMAGES,), group="random", expected=EXPECTED),
               Case("bank: images", (IMAGES,), group="bank", expected=EXPECTED)]
TORCH_CASES = [Case("torch: torch tensor", (IMAGES,), tensor=True, expected=EXPECTED)]
RIGHT = CaseOutcome("returned", Output("array", "numpy.ndarray", EXPECTED))
NUMPY_RUN = (NUMPY_CASES, TaskOutcome("ran", [RIGHT] * 3))
LIBRARY = "ImportError: libscipy_openblas.so: failed to map segment from shared object"


@pytest.mark.parametrize("torch_run", [
    TaskOutcome("import_error", [CaseOutcome()], detail=f"Traceback (your code only):\n  ...\n{LIBRARY}\n"),
    TaskOutcome("crashed", [CaseOutcome()], detail=f"the process was killed by SIGABRT ({LIBRARY})", during_import=True),
], ids=["import error", "crash while importing"])
def test_a_torch_process_that_cannot_import_a_file_the_numpy_one_ran_is_the_machines_problem(torch_run):
    result = judge_exercise(REDNESS, "exercises/stimuli.py", [NUMPY_RUN, (TORCH_CASES, torch_run)])
    assert result.passed and result.score == REDNESS.points and result.status == "passed"
    assert "The torch-tensor check did not run" in result.message and LIBRARY in result.message
    assert "not of your code" in result.message and "Not run" not in result.message
    assert [case.name for case in result.cases] == [case.name for case in NUMPY_CASES]


def test_a_torch_case_that_crashes_inside_the_function_is_still_the_students():
    crashed = TaskOutcome("crashed", [CaseOutcome()], detail="the process was killed by SIGSEGV")
    result = judge_exercise(REDNESS, "exercises/stimuli.py", [NUMPY_RUN, (TORCH_CASES, crashed)])
    assert not result.passed and result.status == "error" and result.score == REDNESS.points  # not scored
    assert "while running the case 'torch: torch tensor'" in result.message
    assert "did not run" not in result.message


def test_when_the_numpy_run_could_not_import_the_file_the_student_is_told_to_fix_it():
    broken = TaskOutcome("import_error", [CaseOutcome()] * 3, detail="SyntaxError: invalid syntax")
    torch_too = TaskOutcome("import_error", [CaseOutcome()], detail="SyntaxError: invalid syntax")
    result = judge_exercise(REDNESS, "exercises/stimuli.py", [(NUMPY_CASES, broken), (TORCH_CASES, torch_too)])
    assert result.status == "error" and "could not be imported" in result.message and "machine" not in result.message
