"""Copy what is graded out of a student's folder: exercises/*.py and reflections.md, nothing else, no symlinks.

A student repository can hold anything (an edited grader, fixtures, workflow); grading a staged copy with the
instructor's own grader ignores all of it, and what was graded cannot change while it is graded.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from grader.submission import REFLECTIONS_FILE

__all__ = ["exercises_folder", "stage_submission", "grade_staged", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 1 << 20  # a larger .py file is not an exercise: left out (graded as missing)


def exercises_folder(folder: Path) -> Path:
    """A student repository's ``exercises/``, or the folder itself when it holds the files directly."""
    folder = Path(folder)
    return folder / "exercises" if (folder / "exercises").is_dir() else folder


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_FILE_BYTES


def stage_submission(folder: Path, destination: Path) -> Path:
    """Copy the submission in ``folder`` into ``destination/exercises`` (+ ``destination/reflections.md``);
    returns the staged exercises folder (the reflections file sits in its parent, where the grader looks)."""
    source = exercises_folder(folder)
    staged = Path(destination) / "exercises"
    staged.mkdir(parents=True, exist_ok=True)
    if source.is_dir() and not source.is_symlink():
        for path in sorted(source.glob("*.py")):
            if _regular(path):
                shutil.copyfile(path, staged / path.name)
    for candidate in (source / REFLECTIONS_FILE, Path(folder) / REFLECTIONS_FILE):
        if _regular(candidate):
            shutil.copyfile(candidate, Path(destination) / REFLECTIONS_FILE)
            break
    return staged


def grade_staged(folder: Path, *, prefix: str, **options):
    """Grade a staged copy of the submission in ``folder`` (``grader.grade`` with ``options``, no standby children
    kept); the copy is removed afterwards."""
    from grader.engine import grade

    staging = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return grade(stage_submission(folder, staging), warm=False, **options)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
