"""GitHub Classroom points: a JSON report as the result GitHub Classroom's grading reporter reads (one test per exercise).

`python -m grader.classroom.classroom_points report.json` prints ``result=<base64 JSON>`` for ``$GITHUB_OUTPUT``;
the workflow hands it to ``classroom-resources/autograding-grading-reporter`` (env ``<RUNNER>_RESULTS``), which
adds the tests' scores, writes "Points <score>/<max>" on the "Autograding Tests" check run (the dashboard reads
that, which needs ``checks: write``) and fails the job when the result's status is "fail" or "error".

Status, decided here: "error" when grading could not run (no or unreadable report); "fail" when an attempted
exercise fails; "pass" otherwise, so an untouched repository (every exercise "not attempted") shows 0 points
and a list of what is still to do, not a red failure.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

__all__ = ["classroom_result", "encode_result"]


def _max_points() -> float:
    from grader.registry import EXERCISES

    return float(sum(exercise.points for exercise in EXERCISES))


def classroom_result(report: dict | None, reason: str = "") -> dict:
    """The reporter's result (version 1) for a JSON report of `python -m grader` (None: grading did not run)."""
    if report is None or report.get("error"):
        why = (report or {}).get("error") or reason or "no report was written"
        return {"version": 1, "status": "error", "max_score": _max_points(),
                "tests": [{"name": "Grading", "status": "error", "score": 0, "message": f"Grading could not run: {why}",
                           "line_no": 0, "filename": "", "test_code": "python -m grader", "duration": 0}]}
    tests = []
    for exercise in report["exercises"]:
        message = exercise["message"] + (f"\nHint: {exercise['hint']}" if exercise.get("hint") else "")
        tests.append({"name": f"{exercise['name']} ({exercise['max_score']:g} points)",
                      "status": "pass" if exercise["passed"] else "fail", "score": exercise["score"],
                      "message": message, "line_no": 0, "filename": f"exercises/{exercise['module']}.py",
                      "test_code": f"python -m grader --exercise {exercise['name']}",
                      "duration": int(1000 * exercise.get("seconds", 0))})
    failed = any(exercise["attempted"] and not exercise["passed"] for exercise in report["exercises"])
    return {"version": 1, "status": "fail" if failed else "pass", "max_score": report["max_score"], "tests": tests}


def encode_result(result: dict) -> str:
    return base64.b64encode(json.dumps(result).encode()).decode()


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "report.json")
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        result = classroom_result(report)
    except (OSError, ValueError, KeyError, TypeError) as error:
        result = classroom_result(None, f"{path} could not be read ({type(error).__name__})")
    points = sum(test["score"] for test in result["tests"])
    print(f"Points {points:g}/{result['max_score']:g} ({result['status']})", file=sys.stderr)
    print(f"result={encode_result(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
