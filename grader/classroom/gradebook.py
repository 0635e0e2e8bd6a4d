"""The batch's tables: gradebook.csv (everything, one row per folder and per unmatched student), and grade CSVs that
Canvas and Gradescope import (one score per roster student)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, fields
from pathlib import Path

from grader.registry import EXERCISES
from lesson.atomic import write_atomic

__all__ = ["StudentRow", "write_gradebook", "write_lms_grades", "final_score", "GRADEBOOK", "CANVAS_GRADES",
           "GRADESCOPE_GRADES", "HASHED_FILES", "NOT_YET"]

GRADEBOOK = "gradebook.csv"
CANVAS_GRADES = "canvas_grades.csv"
GRADESCOPE_GRADES = "gradescope_grades.csv"
HASHED_FILES = ("rsa.py", "pca.py", "stimuli.py", "reflections.md")
NOT_YET = "not graded yet: the batch was stopped before this student (run it again with --resume)"


@dataclass
class StudentRow:
    student: str  # the folder's name
    status: str  # "graded" | "not graded: <what was found where>" | "could not grade: <why>"
    points: dict = field(default_factory=dict)  # exercise name -> score
    total: float = 0.0
    max_score: float = 0.0
    reflections: int = 0  # sections answered
    hashes: dict = field(default_factory=dict)  # file name -> sha256
    seconds: float = 0.0
    notes: list = field(default_factory=list)
    commit: str = ""
    commit_time: str = ""
    late_commits: int = 0
    hours_late: float | str = ""
    penalty: float = 0.0  # fraction of the points taken away for lateness
    total_after_penalty: float | None = None
    fingerprint: str = ""  # what was graded (files, commit, options): --resume skips an unchanged one

    @classmethod
    def from_dict(cls, data: dict) -> StudentRow:
        names = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


def final_score(row: StudentRow, reflection_points: float | None = None) -> float:
    """Autograded points after the late penalty, plus the reflections' rubric points when they were scored."""
    autograded = row.total_after_penalty if row.total_after_penalty is not None else row.total
    return round(autograded + (reflection_points or 0.0), 2)


def _cell(text) -> str:
    """No spreadsheet formula from a folder name or a roster entry."""
    text = "" if text is None else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _table(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_cell(value) for value in row] for row in rows])
    return buffer.getvalue()


def write_gradebook(rows: list[StudentRow], path: Path, *, join=None, reflection_scores: dict | None = None) -> None:
    """Everything per folder; with a roster (``join``), its columns first and a row for each student without one.
    ``reflection_scores``: folder -> {question id: points} from the reflections review."""
    names = [exercise.name for exercise in EXERCISES]
    question_ids = sorted({question for scores in (reflection_scores or {}).values() for question in scores},
                          key=lambda question: int(question[1:]))
    roster_columns = ["name", "student_id", "email", "github_username", "section"] if join is not None else []
    header = (["student"] + roster_columns + ["status"] + names + ["total", "max_score", "late_penalty",
              "total_after_penalty", "reflections_answered"] + [f"reflection {question}" for question in question_ids]
              + (["reflection_points"] if question_ids else []) + ["final_score", "commit", "commit_time",
              "late_commits", "hours_late", "notes"] + [f"sha256 {name}" for name in HASHED_FILES] + ["seconds"])
    table = []
    for row in rows:
        person = join.matched.get(row.student) if join is not None else None
        roster = ([person.name, person.student_id, person.email, person.github_username, person.section] if person
                  else ["(not in the roster)", "", "", "", ""]) if join is not None else []
        scores = (reflection_scores or {}).get(row.student, {})
        points = sum(scores.values()) if scores else None
        table.append([row.student] + roster + [row.status] + [row.points.get(name, "") for name in names]
                     + [row.total, row.max_score, f"{row.penalty:.0%}" if row.penalty else "",
                        row.total_after_penalty if row.total_after_penalty is not None else row.total,
                        row.reflections] + [scores.get(question, "") for question in question_ids]
                     + ([points if points is not None else ""] if question_ids else [])
                     + [final_score(row, points), row.commit, row.commit_time, row.late_commits, row.hours_late,
                        "; ".join(row.notes)] + [row.hashes.get(name, "") for name in HASHED_FILES] + [row.seconds])
    for person in (join.unmatched_students if join is not None else []):
        empty = [""] * (len(header) - len(roster_columns) - 3)
        table.append([""] + [person.name, person.student_id, person.email, person.github_username, person.section]
                     + ["no submission: no folder matches this student"] + empty)
    write_atomic(path, _table(header, table), mode=0o644)


def write_lms_grades(rows: list[StudentRow], out_dir: Path, join, *, assignment: str,
                     reflection_scores: dict | None = None) -> list[Path]:
    """canvas_grades.csv (Canvas: Grades > Import) and gradescope_grades.csv (Gradescope: an assignment's
    Import Scores), one row per matched roster student; students without a folder, or not graded (could not
    grade, or not reached before a stop), are left out (listed in the gradebook): an import never overwrites a
    grade with a guess."""
    by_folder = {row.student: row for row in rows}
    canvas, gradescope = [], []
    for folder, person in join.matched.items():
        row = by_folder.get(folder)
        if row is None or row.status.startswith(("could not grade", NOT_YET)):
            continue
        scores = (reflection_scores or {}).get(folder, {})
        score = final_score(row, sum(scores.values()) if scores else None)
        canvas.append([person.name, person.lms_id, person.sis_user_id, person.sis_login_id, person.section, score])
        gradescope.append([person.name, person.email or (person.identifier if "@" in person.identifier else ""),
                           person.student_id, score])
    out_dir = Path(out_dir)
    paths = [out_dir / CANVAS_GRADES, out_dir / GRADESCOPE_GRADES]
    write_atomic(paths[0], _table(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment], canvas),
                 mode=0o644)
    write_atomic(paths[1], _table(["Name", "Email", "SID", "Total Score"], gradescope), mode=0o644)
    return paths
