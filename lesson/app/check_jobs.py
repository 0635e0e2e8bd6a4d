"""A Check running in the background: the grading in a thread of the app, its start, wait, cancel and result.

The script thread only starts a job, waits for it (in short steps, so that a click, Cancel included, is served
at once) and reads its result; the job itself never touches the session. Cancelling kills the grading's child
processes (this app's ``grader/running/child.py`` children) until the grading thread returns.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CheckJob", "start_job", "cancel_job", "grading_children"]

_log = logging.getLogger("lesson.app")


@dataclass
class CheckJob:
    """One Check: the exercises it grades (None: all), the file digests it grades, and what it found."""

    names: list[str] | None
    digests: dict[str, str]  # exercise name -> sha256 of its file when the Check started
    started: float = field(default_factory=time.perf_counter)
    report: object | None = None  # grader.results.GradeReport once done
    problem: str | None = None  # an error message for people, when grading could not run
    cancelled: bool = False
    finished: float | None = None
    collected: bool = False  # its results were moved into the session
    thread: threading.Thread | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def seconds(self) -> float:
        """Wall-clock seconds from the click to the result (so far, while running)."""
        return (self.finished or time.perf_counter()) - self.started

    def covers(self, name: str) -> bool:
        return self.names is None or name in self.names


def start_job(grade, *, names: list[str] | None, digests: dict[str, str], **grade_arguments) -> CheckJob:
    """Run ``grade(names, **grade_arguments)`` in a thread; the job records its report or its error message."""
    job = CheckJob(names, digests)

    def run() -> None:
        try:
            job.report = grade(exercises=names, **grade_arguments)
        except Exception as error:  # noqa: BLE001 (the grader failing is reported, never shown as a traceback)
            if not job.cancelled:
                _log.exception("grading failed")
                job.problem = (f"The grader could not run: {type(error).__name__}: {error}. Try again; if it keeps "
                               "failing, run `python -m grader` in a terminal to see the full report.")
        finally:
            job.finished = time.perf_counter()

    job.thread = threading.Thread(target=run, name="lesson-check", daemon=True)
    job.thread.start()
    return job


def grading_children() -> list[int]:
    """Process ids of this process's grading children (running a submission, or standing by for the next)."""
    from grader.running.processes import CHILD_SCRIPT

    script = str(CHILD_SCRIPT).encode()
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == os.getpid() and script in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def cancel_job(job: CheckJob) -> None:
    """Stop the job: kill its grading children (each new one the grader starts, too) until the grading returns.

    The standby children go as well; the grader starts new ones for the next Check."""
    if job.done or job.cancelled:
        return
    job.cancelled = True

    def kill_until_done() -> None:
        while not job.done:
            for pid in grading_children():
                try:
                    os.killpg(pid, signal.SIGKILL)  # each child leads its own session and process group
                except OSError:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.05)

    threading.Thread(target=kill_until_done, name="lesson-check-cancel", daemon=True).start()
