"""Grade a folder of submissions (one sub-folder per student) in parallel: a gradebook CSV and one JSON report each.

Each student's files are staged (``staging.py``) and graded by the same engine as ``python -m grader``: every
exercise in its own killed-at-the-limit child process, so a failing, hanging or hostile submission only
costs its own time; an error while grading one student is recorded in its row and the others go on.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.classroom.staging import grade_staged
from grader.registry import EXERCISES
from grader.reports import error_report, report_to_json, write_atomic

__all__ = ["StudentRow", "find_students", "grade_batch", "write_gradebook", "GRADEBOOK", "HASHED_FILES"]

GRADEBOOK = "gradebook.csv"
HASHED_FILES = ("rsa.py", "pca.py", "stimuli.py", "reflections.md")


@dataclass
class StudentRow:
    student: str
    status: str  # "graded" | "could not grade: <why>"
    points: dict  # exercise name -> score
    total: float
    max_score: float
    reflections: int
    hashes: dict  # file name -> sha256
    seconds: float


def find_students(root: Path) -> list[tuple[str, Path]]:
    """(student, folder) for each visible sub-folder, sorted by name."""
    return [(path.name, path) for path in sorted(Path(root).iterdir())
            if path.is_dir() and not path.name.startswith(".")]


def _grade_one(student: str, folder: Path, out_dir: Path, *, source, time_limit, memory_limit) -> StudentRow:
    started = time.perf_counter()
    report_path = out_dir / student / "report.json"
    try:
        report = grade_staged(folder, prefix="grader-batch-", source=source, time_limit=time_limit,
                              memory_limit=memory_limit)
        write_atomic(report_path, json.dumps(report_to_json(report), indent=2) + "\n")
        hashes = {name.removeprefix("../"): digest for name, digest in report.submission.items()}
        return StudentRow(student, "graded", {item.name: item.score for item in report.exercises}, report.score,
                          report.max_score, sum(report.reflections.values()), hashes,
                          round(time.perf_counter() - started, 2))
    except Exception as error:  # noqa: BLE001 (one student's problem never stops the batch)
        reason = f"could not grade: {type(error).__name__}: {error}"
        seconds = round(time.perf_counter() - started, 2)
        try:
            write_atomic(report_path, json.dumps(error_report(reason, seconds=seconds), indent=2) + "\n")
        except OSError:
            pass
        return StudentRow(student, reason, {}, 0.0, 0.0, 0, {}, seconds)


def _cell(text) -> str:
    """No spreadsheet formula from a folder name."""
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_gradebook(rows: list[StudentRow], path: Path) -> None:
    names = [exercise.name for exercise in EXERCISES]
    header = (["student", "status"] + names + ["total", "max_score", "reflections_answered"]
              + [f"sha256 {name}" for name in HASHED_FILES] + ["seconds"])
    table = io.StringIO(newline="")
    writer = csv.writer(table)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.student), _cell(row.status)] + [row.points.get(name, "") for name in names]
                        + [row.total, row.max_score, row.reflections]
                        + [row.hashes.get(name, "") for name in HASHED_FILES] + [row.seconds])
    write_atomic(path, table.getvalue(), mode=0o644)


def grade_batch(root: Path, out_dir: Path, *, source, jobs: int | None = None, time_limit: float | None = None,
                memory_limit: int | None = None, progress=None) -> list[StudentRow]:
    """Grade every student under ``root`` with ``source``, ``jobs`` students at a time (default: the cores)."""
    students = find_students(root)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, jobs or os.cpu_count() or 1)
    rows: list[StudentRow] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch") as pool:
        futures = [pool.submit(_grade_one, student, folder, out_dir, source=source, time_limit=time_limit,
                               memory_limit=memory_limit) for student, folder in students]
        for index, future in enumerate(futures):
            rows.append(future.result())
            if progress:
                progress(f"{rows[-1].student}: {rows[-1].total:g}/{rows[-1].max_score:g} ({rows[-1].status})",
                         (index + 1) / len(futures))
    write_gradebook(rows, out_dir / GRADEBOOK)
    return rows
