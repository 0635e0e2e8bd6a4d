"""One student of a batch, in its own process (`python -m grader.classroom.worker JOB.json`): find, grade, write.

The batch starts one such process per student in its own session, so a per-submission time cap or a
SIGINT/SIGTERM of the batch ends it together with every grading child it started. It writes, in the
student's output folder: ``report.json``, ``feedback.md`` and ``row.json`` (the gradebook row, read back by
the batch and by ``--resume``).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["grade_student", "ROW_FILE"]

ROW_FILE = "row.json"


def _source(job: dict):
    from grader.cases.case_sources import ReferenceSource
    from grader.cases.fixtures import choose_source

    if job.get("fixtures"):
        return choose_source(Path(job["fixtures"]))
    # official grades: the hidden cases of the instructor's key (the parent checked them and made the key)
    from grader.cases.case_sets import load_hidden_key
    from grader.engine import load_bank
    from lesson.config import Settings

    key = job.get("hidden_key")
    return ReferenceSource.for_bank(load_bank(Settings.from_env()), load_hidden_key(Path(key) if key else None))


def _choose_commit(folder: Path, job: dict, scratch: Path, row: dict) -> Path | None:
    """The folder to grade: the working tree, or the commit a deadline selects exported into ``scratch``.
    Fills the provenance fields of ``row``; None when no commit qualifies (``row["status"]`` says why)."""
    from grader.classroom.provenance import (
        commit_before,
        commits_after,
        export_commit,
        head_commit,
        parse_deadline,
        parse_late_penalty,
    )

    head = head_commit(folder)
    if head is None:
        if job.get("deadline"):
            row["notes"].append("not a git repository: graded as found, lateness unknown")
        return folder
    row["commit"], row["commit_time"] = head.sha, head.iso
    if not job.get("deadline"):
        return folder
    deadline = parse_deadline(job["deadline"])
    row["late_commits"] = commits_after(folder, deadline)
    if job.get("late_penalty"):
        chosen = head  # the latest work, with the penalty of its lateness
        hours = (head.time - deadline).total_seconds() / 3600
        row["hours_late"] = round(max(0.0, hours), 2)
        row["penalty"] = parse_late_penalty(job["late_penalty"]).fraction(hours)
    else:
        chosen = commit_before(folder, deadline)
        if chosen is None:
            row["status"] = (f"not graded: no commit at or before the deadline {deadline.isoformat()} (the first "
                             f"of {row['late_commits']} commits is later; grade it with --late-penalty)")
            return None
        row["hours_late"] = 0.0
        if row["late_commits"]:
            row["notes"].append(f"{row['late_commits']} commits after the deadline were not graded")
    row["commit"], row["commit_time"] = chosen.sha, chosen.iso
    return export_commit(folder, chosen.sha, scratch / "commit")


def grade_student(job: dict) -> dict:
    """Grade ``job["folder"]`` and write its reports into ``job["out"]``; returns the gradebook row (also written)."""
    from grader.classroom.discovery import discover, stage_found
    from grader.engine import grade
    from grader.reports import error_report, report_to_json, write_atomic
    from grader.reports.feedback import render_feedback

    started = time.perf_counter()
    out = Path(job["out"])
    row = {"student": job["student"], "status": "graded", "points": {}, "total": 0.0, "max_score": 0.0,
           "reflections": 0, "hashes": {}, "seconds": 0.0, "notes": [], "commit": "", "commit_time": "",
           "late_commits": 0, "hours_late": "", "penalty": 0.0, "fingerprint": job.get("fingerprint", "")}
    report = None
    scratch = Path(tempfile.mkdtemp(prefix="grader-batch-"))
    try:
        folder = _choose_commit(Path(job["folder"]), job, scratch, row)
        if folder is not None:
            found = discover(folder)
            row["notes"] += found.notes + found.skipped
            row["status"] = found.status
            if found.files:
                staged = stage_found(found, scratch / "staged")
                report = grade(staged, source=_source(job), time_limit=job.get("time_limit"),
                               memory_limit=job.get("memory_limit"), warm=False, keep_inputs=False)
                row.update(points={item.name: item.score for item in report.exercises}, total=report.score,
                           max_score=report.max_score, reflections=sum(report.reflections.values()),
                           hashes={name.removeprefix("../"): digest for name, digest in report.submission.items()})
    except Exception as error:  # noqa: BLE001 (one student's problem never stops the batch)
        row["status"] = f"could not grade: {type(error).__name__}: {error}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    row["seconds"] = round(time.perf_counter() - started, 2)
    if row["penalty"]:
        row["total_after_penalty"] = round(row["total"] * (1 - row["penalty"]), 2)
    lateness = (f"Committed {row['hours_late']} hours after the deadline" if row["hours_late"] not in ("", 0.0)
                else "")
    penalty_note = (f"late penalty {row['penalty']:.0%}: {row['total_after_penalty']:g} counted" if row["penalty"]
                    else "")
    document = report_to_json(report) if report is not None else error_report(row["status"], seconds=row["seconds"])
    write_atomic(out / "report.json", json.dumps(document, indent=2) + "\n")
    write_atomic(out / "feedback.md", render_feedback(report, student=job["student"], status=row["status"],
                                                      notes=row["notes"], commit=row["commit"], lateness=lateness,
                                                      penalty_note=penalty_note))
    write_atomic(out / ROW_FILE, json.dumps(row, indent=2) + "\n")
    return row


if __name__ == "__main__":
    grade_student(json.loads(Path(sys.argv[1]).read_text()))
