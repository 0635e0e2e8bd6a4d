"""Grade a folder of submissions (one sub-folder per student): a gradebook CSV, and a report.json and feedback.md each.

Each student is graded by its own worker process (``worker.py``), started in its own session: a per-submission
time cap or a SIGINT/SIGTERM ends it together with every grading child it started (frozen, then killed), and
the gradebook is still written for the students done. Inside the worker, every exercise runs in its own
killed-at-the-limit child, as in ``python -m grader``. ``resume`` reuses the row of a student whose files,
commit and options are unchanged since their report.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.classroom.discovery import OUTPUT_MARKER, discover
from grader.classroom.gradebook import GRADEBOOK, HASHED_FILES, StudentRow, write_gradebook
from grader.classroom.worker import ROW_FILE
from grader.running.processes import end_process_tree
from grader.submission import sha256_of

__all__ = ["StudentRow", "BatchResult", "find_students", "grade_batch", "write_gradebook", "GRADEBOOK",
           "HASHED_FILES", "DEFAULT_SUBMISSION_CAP"]

# Seconds per student, all exercises together. A correct submission takes about 5-15 s here even on a busy machine;
# a student whose loops hit the 60 s per-exercise limit several times is stopped at the cap, and a morning run
# with --resume and a larger cap regrades only those (a "could not grade" row is never reused).
DEFAULT_SUBMISSION_CAP = 180.0
_POLL = 0.05
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BatchResult:
    rows: list[StudentRow]
    interrupted: str = ""  # the signal's name when a SIGINT/SIGTERM stopped the batch
    not_done: list[str] = field(default_factory=list)
    resumed: int = 0


def find_students(root: Path, out_dir: Path | None = None) -> list[tuple[str, Path]]:
    """(student, folder) for each visible sub-folder, sorted by name; never the output folder (``out_dir``, or any
    folder a batch wrote, marked by ``.grader-output``)."""
    out = Path(out_dir).resolve() if out_dir is not None else None
    return [(path.name, path) for path in sorted(Path(root).iterdir())
            if path.is_dir() and not path.name.startswith(".") and path.resolve() != out
            and not (path / OUTPUT_MARKER).exists()]


def _fingerprint(folder: Path, options: dict) -> str:
    """What the grade depends on: the files discovery would grade, the checked-out commit, the options."""
    from grader.classroom.provenance import head_commit

    found = discover(folder)
    parts = [f"{name}={sha256_of(path)}" for name, path in sorted(found.files.items())]
    parts += [f"reflections={sha256_of(found.reflections)}" if found.reflections else "", found.status]
    head = head_commit(folder) if options.get("deadline") else None
    parts += [head.sha if head else "", json.dumps(options, sort_keys=True)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _previous_row(out_dir: Path, student: str, fingerprint: str) -> StudentRow | None:
    try:
        data = json.loads((out_dir / student / ROW_FILE).read_text())
    except (OSError, ValueError):
        return None
    if data.get("fingerprint") != fingerprint or data.get("status", "").startswith("could not grade"):
        return None
    return StudentRow.from_dict(data)


@dataclass
class _Running:
    student: str
    proc: subprocess.Popen
    started: float
    log: Path


def _start(student: str, folder: Path, out_dir: Path, scratch: Path, job: dict) -> _Running:
    (out_dir / student / ROW_FILE).unlink(missing_ok=True)  # only this run's worker can vouch for this run
    job_file = scratch / f"{len(list(scratch.iterdir()))}.json"
    job_file.write_text(json.dumps({**job, "student": student, "folder": str(folder.resolve()),
                                    "out": str((out_dir / student).resolve())}))
    log = job_file.with_suffix(".log")
    with open(log, "wb") as output:
        proc = subprocess.Popen([sys.executable, "-m", "grader.classroom.worker", str(job_file)], cwd=_PROJECT_ROOT,
                                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=(os.name == "posix"))
    return _Running(student, proc, time.monotonic(), log)


def _finished(run: _Running, out_dir: Path, fingerprint: str, capped: float | None) -> StudentRow:
    seconds = round(time.monotonic() - run.started, 2)
    if capped is not None:
        return StudentRow(run.student, f"could not grade: over the time cap of {capped:g} s per submission (stopped "
                                       "with every process it started; regrade with --resume and a larger "
                                       "--submission-time-limit)", seconds=seconds, fingerprint="")
    try:
        data = json.loads((out_dir / run.student / ROW_FILE).read_text())
        if data.get("fingerprint") == fingerprint:
            return StudentRow.from_dict(data)
    except (OSError, ValueError):
        pass
    last = (run.log.read_text(errors="replace").strip().splitlines() or [""])[-1][:300]
    return StudentRow(run.student, f"could not grade: its grading process stopped (exit code {run.proc.returncode})"
                                   + (f": {last}" if last else ""), seconds=seconds)


def _eta(done: int, total: int, elapsed: float) -> str:
    if not done or done >= total:
        return ""
    left = elapsed / done * (total - done)
    return f", about {left / 60:.0f} min left" if left >= 90 else f", about {left:.0f} s left"


def grade_batch(root: Path, out_dir: Path, *, fixtures: Path | None = None, hidden_key: Path | None = None,
                jobs: int | None = None,
                time_limit: float | None = None, memory_limit: int | None = None,
                submission_time_limit: float | None = DEFAULT_SUBMISSION_CAP, deadline: str | None = None,
                late_penalty: str | None = None, resume: bool = False, progress=None, gradebook=None) -> BatchResult:
    """Grade every student folder under ``root``, ``jobs`` at a time (default: the cores), into ``out_dir``.

    ``gradebook(rows)`` writes the tables (default: ``out_dir/gradebook.csv``); it also runs after a SIGINT or
    SIGTERM, for the students done, before this returns with ``interrupted`` set.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / OUTPUT_MARKER).write_text("written by python -m grader batch: not a student folder\n")
    students = find_students(root, out_dir)
    options = {"fixtures": str(fixtures) if fixtures else None, "hidden_key": str(hidden_key) if hidden_key else None,
               "time_limit": time_limit,
               "memory_limit": memory_limit, "deadline": deadline, "late_penalty": late_penalty}
    workers = max(1, jobs or os.cpu_count() or 1)
    result = BatchResult([])
    done: dict[str, StudentRow] = {}
    queue: list[tuple[str, Path, str]] = []
    for student, folder in students:
        fingerprint = _fingerprint(folder, options)
        previous = _previous_row(out_dir, student, fingerprint) if resume else None
        if previous is not None:
            done[student] = previous
            result.resumed += 1
        else:
            queue.append((student, folder, fingerprint))
    stop: list[str] = []
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            handlers[number] = signal.signal(number, lambda received, _frame: stop.append(signal.Signals(received).name))
    started, total, graded = time.monotonic(), len(queue), 0
    running: dict[str, tuple[_Running, str]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="grader-batch-jobs-"))
    try:
        while (queue or running) and not stop:
            while queue and len(running) < workers and not stop:
                student, folder, fingerprint = queue.pop(0)
                running[student] = (_start(student, folder, out_dir, scratch, {**options, "fingerprint": fingerprint}),
                                    fingerprint)
            time.sleep(_POLL)
            for student, (run, fingerprint) in list(running.items()):
                over = (submission_time_limit is not None and run.proc.poll() is None
                        and time.monotonic() - run.started > submission_time_limit)
                if over:
                    end_process_tree(run.proc)  # not reaped yet: its pid cannot have been reused
                elif run.proc.poll() is None:
                    continue
                del running[student]  # a worker that ended has ended its grading children itself
                done[student] = row = _finished(run, out_dir, fingerprint, submission_time_limit if over else None)
                graded += 1
                if progress:
                    progress(f"{student}: {row.total:g}/{row.max_score:g} ({row.status[:60]}); {graded} of {total} "
                             f"graded{_eta(graded, total, time.monotonic() - started)}", graded / max(total, 1))
    finally:
        for run, _ in running.values():
            end_process_tree(run.proc)
        for number, previous in handlers.items():
            signal.signal(number, previous)
        for path in scratch.iterdir():
            path.unlink()
        scratch.rmdir()
    if stop:
        result.interrupted = stop[0]
        result.not_done = sorted(set(student for student, _ in students) - set(done))
    result.rows = [done[student] for student, _ in students if student in done]
    (gradebook or (lambda rows: write_gradebook(rows, out_dir / GRADEBOOK)))(result.rows)
    return result
