"""Grading results as data: one CaseResult per case, one ExerciseResult per function, one GradeReport per run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["CaseResult", "ExerciseResult", "GradeReport"]


@dataclass(frozen=True)
class CaseResult:
    name: str  # e.g. "bank: conv1 (features.0)", "edge: constant row", "random: seed 3"
    passed: bool
    message: str = ""  # what was expected, what came back, where they first differ (never the expected values)
    hint: str = ""  # a targeted hint when the output matches a known mistake
    hidden: bool = False  # details withheld from the student (counted, not explained)
    ran: bool = True  # False when the exercise stopped (time limit, crash) before this case


@dataclass(frozen=True)
class ExerciseResult:
    name: str  # the function's name, e.g. "get_similarity_matrix"
    module: str  # "rsa" | "pca" | "stimuli"
    attempted: bool  # False when the module/function is missing or still raises NotImplementedError
    passed: bool
    score: float
    max_score: float
    message: str  # one-paragraph summary for people
    hint: str = ""  # the known mistake that explains the most failing cases
    diagnosis: str = ""  # when no known mistake matches: the relation between the outputs and the expected ones
    cases: tuple[CaseResult, ...] = ()
    output: str = ""  # the submission's own stdout/stderr while it ran (shown, never parsed)
    seconds: float = 0.0
    status: str = ""  # "passed" | "failed" | "not attempted" | "error" | "timeout" | "memory"

    @property
    def failed_cases(self) -> list[CaseResult]:
        """The cases that ran and failed (not those a timeout or crash kept from running)."""
        return [case for case in self.cases if not case.passed and case.ran]


@dataclass(frozen=True)
class GradeReport:
    score: float
    max_score: float
    exercises: tuple[ExerciseResult, ...]
    provenance: dict  # of the activation bank (or fixtures) the cases came from
    submission: dict  # file name -> sha256 of each graded file
    reflections: dict = field(default_factory=dict)  # question id -> answered (bool)
    reflections_problem: str = ""  # why the reflections file could not be read, and how to fix it ("" if fine)
    grader: dict = field(default_factory=dict)  # grader version and the sha256 of its own files
    seconds: float = 0.0
    isolation: str = ""  # "bubblewrap sandbox" or "process isolation only: <why>" (grader/running/bubblewrap.py)

    @property
    def all_passed(self) -> bool:
        return all(exercise.passed for exercise in self.exercises)

    def to_dict(self) -> dict:
        return asdict(self)
