"""The JSON report: a GradeReport as plain data with a schema tag (documented in grader/SCHEMA.md)."""

from __future__ import annotations

from grader.results import GradeReport

__all__ = ["SCHEMA", "report_to_json", "error_report"]

SCHEMA = "alexnet-lesson/grade-report/1"


def _case(case) -> dict:
    return {"name": case.name, "passed": case.passed, "ran": case.ran, "hidden": case.hidden, "message": case.message,
            "hint": case.hint}


def _exercise(exercise) -> dict:
    return {"name": exercise.name, "module": exercise.module, "attempted": exercise.attempted,
            "passed": exercise.passed, "status": exercise.status, "score": exercise.score,
            "max_score": exercise.max_score, "message": exercise.message, "hint": exercise.hint,
            "diagnosis": exercise.diagnosis,
            "output": exercise.output, "seconds": exercise.seconds, "cases": [_case(case) for case in exercise.cases]}


def report_to_json(report: GradeReport) -> dict:
    return {"schema": SCHEMA, "error": None, "score": report.score, "max_score": report.max_score,
            "passed": report.all_passed, "seconds": report.seconds,
            "exercises": [_exercise(exercise) for exercise in report.exercises],
            "provenance": report.provenance, "submission": report.submission, "reflections": report.reflections,
            "reflections_problem": report.reflections_problem, "grader": report.grader, "isolation": report.isolation}


def error_report(reason: str, *, max_score: float = 0.0, seconds: float = 0.0, grader: dict | None = None,
                 isolation: str = "") -> dict:
    """The report written when grading could not happen (exit code 2): same keys, no exercises, ``error`` set."""
    return {"schema": SCHEMA, "error": reason, "score": 0.0, "max_score": max_score, "passed": False,
            "seconds": seconds, "exercises": [], "provenance": {}, "submission": {}, "reflections": {},
            "reflections_problem": "", "grader": grader or {}, "isolation": isolation}
