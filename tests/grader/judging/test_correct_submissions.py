"""Every correct formulation passes: library or by hand, SVD or eigendecomposition, float32 or float64, numpy or torch."""

from __future__ import annotations

import pytest
from grader_helpers import PROJECT_ROOT, SUBMISSIONS, torch_importable

from grader import grade
from grader.registry import EXERCISES

CORRECT = SUBMISSIONS / "correct"
VARIANTS = ["rsa_by_hand", "rsa_library", "pca_eigh", "float32_inside", "torch_inside"]


def _graded_exercises(folder):
    modules = {path.stem for path in folder.glob("*.py")}
    return [exercise.name for exercise in EXERCISES if exercise.module in modules]


def test_every_folder_of_the_corpus_is_listed():
    assert sorted(folder.name for folder in CORRECT.iterdir() if folder.is_dir()) == sorted(VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_correct_variant_passes_every_case(reference_source, variant):
    if variant == "torch_inside" and not torch_importable():
        pytest.skip("torch is not installed")
    folder = CORRECT / variant
    report = grade(folder, _graded_exercises(folder), source=reference_source, time_limit=120, warm=False)
    failures = {result.name: (result.message, [case.message for case in result.cases if not case.passed][:2])
                for result in report.exercises if not result.passed}
    assert not failures
    assert all(result.score == result.max_score and result.status == "passed" for result in report.exercises)


def test_the_reference_solutions_pass_everything(reference_source):
    report = grade(PROJECT_ROOT / "solutions", source=reference_source, time_limit=120, warm=False)
    assert [result.status for result in report.exercises] == ["passed"] * len(EXERCISES)
    assert report.score == report.max_score == sum(exercise.points for exercise in EXERCISES)
    bank_cases = [case for result in report.exercises for case in result.cases if case.name.startswith("bank: ")]
    assert len(bank_cases) >= 21 * 2 + 7  # first-order and components on all 21 layers, PCA on 7, and more
    if torch_importable():
        assert any(case.name.startswith("torch: ") for result in report.exercises for case in result.cases)
