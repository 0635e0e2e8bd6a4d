"""Gradescope's results.json: one test per exercise; a version for when grading crashed is always available."""

from __future__ import annotations

import math

from grader.reports.text import DIAGNOSIS_LABEL
from grader.results import GradeReport

__all__ = ["gradescope_results", "gradescope_error"]


def _test_output(exercise) -> str:
    lines = [exercise.message]
    if exercise.hint:
        lines.append(f"Hint: {exercise.hint}")
    elif exercise.diagnosis:
        lines.append(f"{DIAGNOSIS_LABEL} {exercise.diagnosis}")
    failed = exercise.failed_cases
    for case in failed[:5]:
        lines.append(f"- {case.name}: {case.message}" + (f"\n  Hint: {case.hint}" if case.hint else ""))
    if len(failed) > 5:
        lines.append(f"... and {len(failed) - 5} more failing cases.")
    if exercise.output.strip():
        lines.append("Your code printed:\n" + exercise.output)
    return "\n".join(lines)


def gradescope_results(report: GradeReport, summary: str = "") -> dict:
    tests = [{"name": exercise.name, "score": exercise.score, "max_score": exercise.max_score,
              "status": "passed" if exercise.passed else "failed", "output": _test_output(exercise),
              "visibility": "visible"} for exercise in report.exercises]
    isolation = f"\nIsolation: {report.isolation}" if report.isolation else ""
    return {"score": report.score, "execution_time": math.ceil(report.seconds), "output": summary + isolation,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def gradescope_error(reason: str, seconds: float = 0.0) -> dict:
    return {"score": 0.0, "execution_time": math.ceil(seconds),
            "output": f"Grading could not run: {reason}\nPlease tell your instructor; this is not a judgement of your work.",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}
