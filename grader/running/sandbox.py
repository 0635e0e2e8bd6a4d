"""Run exercise functions in an isolated child process, one time limit per exercise, and read back their outputs.

The isolation, end to end:
- a fresh ``python -I`` interpreter per job (``grader/running/child.py``), in its own session, with a scrubbed
  environment, a temporary working directory and HOME, and only the submission folder importable;
- where it can start, inside the bubblewrap sandbox (``grader/running/bubblewrap.py``: no network, nothing of the
  instructor's files, uid nobody), which receives a fresh copy of the submission in its own work folder;
- limits set inside the child before any student code runs: memory (data, with an address-space backstop), file
  size, process count, and processor time (RLIMIT_CPU, a backstop of ``CPU_BACKSTOP_FACTOR`` times the time limit
  per exercise, so that a child whose parent is gone cannot spin forever);
- a wall-time limit per exercise, watched here; when it passes, the child and every process it started are
  killed (SIGKILL, never a polite request), and the remaining exercises continue in a new child;
- inputs cross as .npy files written here, outputs come back as .npy files read with ``allow_pickle=False``
  from a folder whose random name only the job names; stdout/stderr go to per-exercise files that are shown
  to the student and never parsed;
- only plain numeric numpy arrays and plain numbers are accepted back (checked in the child, again here).
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.running.inputs import encode_case
from grader.running.outcomes import CaseOutcome, TaskOutcome, collect, read_text
from grader.running.processes import DEFAULT_MEMORY_LIMIT, Child, package_folders, share_with_children, take_child

__all__ = ["Task", "CaseOutcome", "TaskOutcome", "run_tasks", "DEFAULT_TIME_LIMIT", "DEFAULT_MEMORY_LIMIT"]

DEFAULT_TIME_LIMIT = 60.0  # seconds per exercise (a slow but correct loop over 21 layers fits)
_STARTUP_LIMIT = 120.0  # Python, numpy and torch on a slow, busy machine
CPU_BACKSTOP_FACTOR = 10.0  # CPU seconds per second of the wall-time limit: a child runs on one core (one BLAS thread)
_POLL_SECONDS = 0.005
_WAKE_SECONDS = 0.05  # with a pidfd: how often a running child's time limit is checked


@dataclass
class Task:
    """One exercise's cases to run in a child (cases need ``args``, ``kwargs`` and ``tensor``)."""

    name: str
    module: str
    file: Path
    function: str
    cases: Sequence


def _package_name(submission_dir: Path) -> str:
    import keyword
    import sys

    name = submission_dir.name
    taken = set(sys.stdlib_module_names) | {"numpy", "scipy", "torch"}
    return name if name.isidentifier() and not keyword.iskeyword(name) and name not in taken else "submission"


def _forbidden_dirs(submission_dir: Path) -> list[str]:
    """Folders the submission must not read: the reference solutions, the grader and the lesson (where present),
    except the one being graded (grading ``solutions/`` itself must read it)."""
    submission = os.path.realpath(submission_dir)
    folders = []
    for folder in (folder for name in ("solutions", "grader", "lesson") for folder in package_folders(name)):
        inside = submission == folder or submission.startswith(folder + os.sep) or folder.startswith(submission + os.sep)
        if not inside:
            folders.append(folder)
    return folders


def _job_item(task: Task, submission: str, copy: str) -> dict:
    file = os.path.realpath(task.file)
    if copy != submission and file.startswith(submission + os.sep):
        file = copy + file[len(submission):]
    return {"module": task.module, "file": file, "function": task.function,
            "cases": [encode_case(case) for case in task.cases]}


_MAX_COPIED_FILES = 200


def _copy_submission(submission: str, child: Child) -> str:
    """A fresh copy of the submission's Python files (regular files of at most 1 MiB, no links) in the child's own
    folder, for a sandboxed child (it sees nothing else); the original folder's path for the others."""
    if not child.sandboxed:
        return submission
    copy = child.workdir / "submission" / os.path.basename(submission)
    copied = 0
    for folder, names, files in os.walk(submission):  # does not follow links to folders
        names[:] = sorted(name for name in names if not name.startswith(".") and name != "__pycache__")
        target = copy / os.path.relpath(folder, submission)
        target.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            path = os.path.join(folder, name)
            if (name.endswith(".py") and not os.path.islink(path) and os.path.isfile(path)
                    and os.path.getsize(path) <= 1 << 20 and copied < _MAX_COPIED_FILES):
                shutil.copyfile(path, target / name)
                copied += 1
    for path in [child.workdir / "submission", *(child.workdir / "submission").rglob("*")]:
        share_with_children(str(path), 0o750 if path.is_dir() else 0o640)
    return str(copy)


def _show_original_paths(outcomes: list[TaskOutcome | None], copy: str, submission: str) -> None:
    """Tracebacks and output name the student's own files, not the sandbox's copy of them."""
    if copy == submission:
        return
    for outcome in filter(None, outcomes):
        outcome.detail = outcome.detail.replace(copy, submission)
        outcome.output = outcome.output.replace(copy, submission)
        for case in outcome.cases:
            case.traceback = case.traceback.replace(copy, submission)


def run_tasks(tasks: Sequence[Task], *, submission_dir: Path, time_limit: float, memory_limit: int,
              torch: bool = False, first_child: Child | None = None) -> dict[int, TaskOutcome]:
    """Run the tasks in order in as few children as possible: a timeout or crash ends only its own task.

    ``first_child`` is a child started ahead of time (with the same ``torch`` and ``memory_limit``); after a
    timeout or a crash the remaining tasks go to a new one. Returns each task's outcome by its position.
    """
    outcomes: dict[int, TaskOutcome] = {}
    pending = list(range(len(tasks)))
    child = first_child
    while pending:
        batch = [tasks[index] for index in pending]
        child = child or take_child(torch=torch, memory_limit=memory_limit)
        results = _run_child(batch, child, submission_dir=submission_dir, time_limit=time_limit)
        child = None
        for index, outcome in zip(pending, results):
            if outcome is not None:
                outcomes[index] = outcome
        if all(outcome is None for outcome in results):  # no progress at all: never loop
            for index in pending:
                outcomes[index] = TaskOutcome("crashed", [CaseOutcome() for _ in tasks[index].cases],
                                              detail="the grading process could not start")
        pending = [index for index in pending if index not in outcomes]
    if first_child is not None and not tasks:
        first_child.discard()
    return outcomes


def _run_child(tasks: list[Task], child: Child, *, submission_dir: Path, time_limit: float) -> list[TaskOutcome | None]:
    """``tasks`` in ``child``; None for each task it did not reach (to run in the next child)."""
    results = child.workdir / f"results-{secrets.token_hex(12)}"
    try:
        submission = os.path.realpath(submission_dir)
        copy = _copy_submission(submission, child)
        job = {"results": str(results), "submission_dir": copy,
               "package": _package_name(submission_dir), "forbidden": _forbidden_dirs(submission_dir),
               "exercises": [_job_item(task, submission, copy) for task in tasks],  # inputs are on disk already
               "cpu_seconds": CPU_BACKSTOP_FACTOR * time_limit * len(tasks)}
        if child.send(json.dumps(job).encode()):
            stopped_at, reason = _watch(child, results, len(tasks), time_limit)
        else:
            stopped_at, reason = 0, "the grading process ended before it received its work"
        child.kill()  # always: also what the submission left running after a normal finish
        if stopped_at == 0 and not (results / "e0.start").exists():  # the child failed before any student code
            said = read_text(child.workdir / "startup.out", 2000).strip().splitlines()
            reason += f" ({said[-1]})" if said else ""
        outcomes = collect(tasks, results, stopped_at, reason)
        _show_original_paths(outcomes, copy, submission)
        return outcomes
    finally:
        child.discard()


def _watch(child: Child, results: Path, n_tasks: int, time_limit: float) -> tuple[int | None, str]:
    """Wait for the child; kill it at a task's time limit. Returns (task it stopped in, or None if finished; why)."""
    index, since = 0, time.time()
    with _ExitWaiter(child) as waiter:
        while True:
            while index < n_tasks and (results / f"e{index}.done").exists():
                index, since = index + 1, time.time()
            code = child.proc.poll()
            if code is not None:
                if index >= n_tasks:
                    return None, ""
                time.sleep(_POLL_SECONDS)  # the last marker may have been written just before the exit
                if (results / f"e{index}.done").exists():
                    continue
                return index, _exit_reason(code, child)
            start = results / f"e{index}.start"
            try:
                started = start.stat().st_mtime
                if time.time() - started > time_limit:
                    child.kill()
                    return index, f"stopped after the time limit of {time_limit:g} s"
            except FileNotFoundError:
                if time.time() - since > _STARTUP_LIMIT + time_limit:
                    child.kill()
                    return index, "the grading process did not start the exercise in time"
            waiter.wait(_POLL_SECONDS if time.time() - since < 1 else 10 * _POLL_SECONDS)


class _ExitWaiter:
    """Sleeps between the watcher's checks, but wakes the moment the child exits (Linux: a pidfd, so the
    result is read without a polling delay and without polling often); elsewhere a plain sleep."""

    def __init__(self, child: Child):
        self._pidfd = None
        if hasattr(os, "pidfd_open"):
            try:
                self._pidfd = os.pidfd_open(child.proc.pid)
            except OSError:  # an old kernel, or the child is already gone: poll() tells
                self._pidfd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._pidfd is not None:
            os.close(self._pidfd)

    def wait(self, short: float) -> None:
        if self._pidfd is None:
            time.sleep(short)
        else:  # the time limits need no finer check than this
            select.select([self._pidfd], [], [], _WAKE_SECONDS)


def _exit_reason(code: int, child: Child) -> str:
    if child.sandboxed and code > 128:  # bwrap exits with 128 + the signal that killed the child
        code = 128 - code
    if code < 0:
        try:
            import signal

            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if name == "SIGXCPU":
            return (f"the process was stopped by the processor-time backstop ({CPU_BACKSTOP_FACTOR:g} times the time "
                    "limit in CPU time; an endless loop?)")
        extra = " (the system may have run out of memory)" if name == "SIGKILL" else ""
        return f"the process was killed by {name}{extra}"
    if code == 70 and (child.workdir / "child-error.txt").exists():
        return "the grading process failed (after your code changed something it relies on, or a grader bug)"
    return f"the process ended early with exit code {code} (sys.exit or os._exit in your code?)"
