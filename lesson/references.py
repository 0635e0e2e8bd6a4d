"""Whether the reference solutions are present (the course repository) or not (a student release): one check,
and the one way to reach them."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lesson.curriculum import Exercise

__all__ = ["references_available", "reference", "reference_function", "ReferencesUnavailable", "NotSolvedYet"]

SOLUTIONS_DIR = Path(__file__).resolve().parent.parent / "solutions"


class ReferencesUnavailable(Exception):
    """A part of a page needs the reference solutions, which a student release leaves out. ``str()`` says so."""


class NotSolvedYet(Exception):
    """A part of a page is drawn with an exercise the student has not solved yet, and this copy of the lesson has
    no reference solution to draw it with instead (a student release). ``str()`` says what to do."""


def references_available() -> bool:
    """Whether the reference solutions are present: True in the course repository, False in a student release
    (``python -m grader release``), where every plot is drawn with the student's own functions."""
    # By location, not by import: a student's own folder named "solutions" on sys.path must not count.
    return (SOLUTIONS_DIR / "rsa.py").is_file()


def reference(module: str, name: str, *, needed_for: str = "this part of the lesson"):
    """``solutions.<module>.<name>``, or ``ReferencesUnavailable`` (saying what needs it) in a student release."""
    if not references_available():
        raise ReferencesUnavailable(f"{needed_for[:1].upper()}{needed_for[1:]} needs the reference solutions, "
                                    "which this copy of the lesson (a student release) leaves out.")
    return getattr(importlib.import_module(f"solutions.{module}"), name)


def reference_function(exercise: Exercise):
    """The reference solution of an exercise (from ``solutions/``); ``ReferencesUnavailable`` in a student release."""
    if not references_available():
        raise ReferencesUnavailable(f"The reference {exercise.name} is not part of this copy of the lesson (a "
                                    "student release has no reference solutions).")
    return reference(exercise.module, exercise.name)
