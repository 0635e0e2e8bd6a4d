"""Which commit of a student repository is graded: its SHA and time, the last one before a deadline, and lateness.

Nothing here changes the student's checkout: a commit other than the working tree is exported with
``git archive`` into a temporary folder. Commit times are the committer dates git records; a student can
set them by hand, so a deadline read from git is a convenience for honest classes, not a proof (the push
time on GitHub, or Classroom's own deadline, is the authority).
"""

from __future__ import annotations

import io
import math
import re
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.errors import GradingError

__all__ = ["Commit", "LatePenalty", "head_commit", "commit_before", "commits_after", "export_commit",
           "parse_deadline", "parse_late_penalty"]

_GIT_TIMEOUT = 60


@dataclass(frozen=True)
class Commit:
    sha: str
    time: datetime  # the committer date, with its offset

    @property
    def iso(self) -> str:
        return self.time.isoformat()


@dataclass(frozen=True)
class LatePenalty:
    """``percent`` of the points per started ``unit`` ("day" or "hour") after the deadline, at most 100 %."""

    percent: float
    unit: str

    def fraction(self, hours_late: float) -> float:
        """The fraction of the points taken away: 10 %/day and 25 hours late -> 0.2 (two started days)."""
        if hours_late <= 0:
            return 0.0
        units = math.ceil(hours_late / (24.0 if self.unit == "day" else 1.0) - 1e-9)
        return min(1.0, units * self.percent / 100.0)


def parse_late_penalty(text: str) -> LatePenalty:
    """"10%/day" or "5%/hour" -> LatePenalty; the error shows the expected form."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*/\s*(day|hour)\s*", text or "")
    if not match:
        raise GradingError(f"--late-penalty {text!r} is not understood: write a percentage per day or hour, "
                           "e.g. 10%/day or 2%/hour")
    return LatePenalty(float(match.group(1)), match.group(2))


def parse_deadline(text: str) -> datetime:
    """An ISO 8601 time ("2026-12-01T23:59", "2026-12-01 23:59+01:00"); without an offset it is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise GradingError(f"--deadline {text!r} is not a date and time: write it as ISO 8601, e.g. "
                           "2026-12-01T23:59+01:00 (UTC when no offset is given)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _git(folder: Path, *args: str, binary: bool = False):
    try:
        done = subprocess.run(["git", "-C", str(folder), "-c", "safe.directory=*", *args], capture_output=True,
                              timeout=_GIT_TIMEOUT, text=not binary)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _is_repository(folder: Path) -> bool:
    """Only a folder that is itself the top of a repository (not a folder inside the instructor's own)."""
    top = _git(folder, "rev-parse", "--show-toplevel")
    return bool(top) and Path(top.strip()).resolve() == Path(folder).resolve()


def _commit(line: str | None) -> Commit | None:
    if not line or not line.strip():
        return None
    sha, stamp = line.strip().split(" ", 1)
    return Commit(sha, datetime.fromisoformat(stamp.replace("Z", "+00:00")))


def head_commit(folder: Path) -> Commit | None:
    """The checked-out commit, or None when ``folder`` is not the top of a git repository (or has no commit)."""
    if not _is_repository(folder):
        return None
    return _commit(_git(folder, "log", "-1", "--format=%H %cI", "HEAD"))


def commit_before(folder: Path, deadline: datetime) -> Commit | None:
    """The last commit of HEAD's history committed at or before ``deadline`` (None when there is none)."""
    for line in (_git(folder, "log", "--format=%H %cI", "HEAD") or "").splitlines():
        commit = _commit(line)
        if commit is not None and commit.time <= deadline:
            return commit
    return None


def commits_after(folder: Path, deadline: datetime) -> int:
    """How many commits of HEAD's history were committed after ``deadline``."""
    return sum(1 for line in (_git(folder, "log", "--format=%H %cI", "HEAD") or "").splitlines()
               if (commit := _commit(line)) is not None and commit.time > deadline)


def export_commit(folder: Path, sha: str, destination: Path) -> Path:
    """The files of commit ``sha`` written into ``destination`` (regular files and folders only; links skipped)."""
    data = _git(folder, "archive", "--format=tar", sha, binary=True)
    if data is None:
        raise GradingError(f"could not read commit {sha[:12]} of {folder} with git archive")
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = [member for member in archive.getmembers() if member.isreg() or member.isdir()]
        try:
            archive.extractall(destination, members=members, filter="data")
        except TypeError:  # Python < 3.11.4: no filters; the members are already plain files and folders
            archive.extractall(destination, members=[member for member in members if not member.name.startswith(
                ("/", "..")) and ".." not in Path(member.name).parts])
    return destination
