"""The grader: runs a submission's exercise functions in isolation, compares them with the references, explains failures."""

from grader.engine import GradingError, grade, load_bank, prewarm
from grader.registry import EXERCISES
from grader.results import CaseResult, ExerciseResult, GradeReport

__all__ = ["grade", "prewarm", "load_bank", "GradingError", "EXERCISES", "CaseResult", "ExerciseResult",
           "GradeReport"]
