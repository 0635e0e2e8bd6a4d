"""The Gradescope autograder's steps around the grading: find the work in the upload, then finish results.json.

`python -m grader.classroom.gradescope_extras stage SUBMISSION WORK` copies the exercise files from wherever
they are in the upload (``discovery.py``: exercises/, Exercises/, the root, a "Download ZIP" folder,
``rsa (1).py``) into ``WORK/exercises`` and writes ``WORK/found.json`` (notes, files left out and why).
`... finish RESULTS CONFIG WORK` sets the visibility the instructor chose (``gradescope.json`` in the archive),
puts those notes at the top of the output, and adds the reflections as a part graded by hand (0 of 0
autograder points; the rubric points are a manually graded question in Gradescope's outline).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["VISIBILITIES", "CONFIG_FILE", "REFLECTIONS_TEST", "stage", "finish"]

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's values
CONFIG_FILE = "gradescope.json"
REFLECTIONS_TEST = "Reflections (graded by hand; not part of the autograder score)"


def stage(submission: Path, work: Path) -> dict:
    from grader.classroom.discovery import discover, stage_found

    found = discover(submission)
    stage_found(found, work)
    record = {"status": found.status, "notes": found.notes, "skipped": found.skipped}
    (Path(work) / "found.json").write_text(json.dumps(record))
    return record


def _reflections_text(work: Path) -> str:
    from lesson.curriculum import QUESTIONS
    from lesson.reflections import load_answers

    answers = load_answers(Path(work) / "reflections.md")
    if not answers:
        return "No reflections.md was found in the submission: upload it with your code."
    parts = []
    for question in QUESTIONS:
        answer = answers.get(question.id, "").strip() or "(no answer)"
        parts.append(f"{question.id}. {question.prompt}\n{answer}")
    return "\n\n".join(parts)


def finish(results_path: Path, config_path: Path, work: Path) -> dict:
    results = json.loads(Path(results_path).read_text())
    config = json.loads(Path(config_path).read_text()) if Path(config_path).is_file() else {}
    visibility = config.get("visibility", "visible")
    found_path = Path(work) / "found.json"
    found = json.loads(found_path.read_text()) if found_path.is_file() else {}
    lines = [f"Note: {note}" for note in found.get("notes", [])]
    lines += [f"Left out: {item}" for item in found.get("skipped", [])]
    if found.get("status", "graded") != "graded":
        lines.append(found["status"])
    if lines:
        results["output"] = "\n".join(lines) + ("\n\n" + results["output"] if results.get("output") else "")
    if results.get("tests") and config.get("reflections", True):
        results["tests"].append({"name": REFLECTIONS_TEST, "score": 0.0, "max_score": 0.0,
                                 "output": _reflections_text(work)})
    if not results.get("tests"):
        visibility = "visible"  # "grading could not run" is shown at once, whatever the setting
    results["visibility"] = visibility
    for test in results.get("tests", []):
        test["visibility"] = visibility
    Path(results_path).write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    step, *paths = sys.argv[1:]
    if step == "stage":
        stage(Path(paths[0]), Path(paths[1]))
    else:
        finish(Path(paths[0]), Path(paths[1]), Path(paths[2]))
