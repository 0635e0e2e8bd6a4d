"""Which implementation a plot uses: the student's function once its Check passed, else the reference (or, in a
student release, a 'not solved yet' message that says what to finish)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from lesson.app.bank_context import Context
from lesson.app.check_widget import exercise_file, state_of
from lesson.app.frame import shown_path
from lesson.curriculum import Exercise
from lesson.references import NotSolvedYet, reference_function, references_available
from lesson.student_code import StudentCodeError, load_function

__all__ = ["Choice", "choices", "reference_choice", "with_fallback"]

_log = logging.getLogger("lesson.app")


@dataclass(frozen=True)
class Choice:
    """Which implementation of one exercise a plot uses."""

    function: Callable
    source_id: str  # "reference" or "student:<sha256 of the file>": the cache key part
    label: str  # for people: "your get_similarity_matrix" / "the reference get_similarity_matrix"
    is_student: bool

    @property
    def is_reference(self) -> bool:
        """The reference solution: its results come precomputed with the bank's reference analyses."""
        return self.source_id == "reference"


def _student_function(path: Path, name: str, digest: str):
    return _cached_student_function(str(path), name, digest)


@st.cache_resource(show_spinner=False, max_entries=32)
def _cached_student_function(path: str, name: str, digest: str):
    return load_function(Path(path), name, digest)


def choices(ctx: Context, exercises: list[Exercise], *, key: str) -> list[Choice]:
    """For a plot: the student's function for each exercise that passed its check (the file unchanged since),
    the reference otherwise; a toggle switches to the references; a note says which is shown.

    In a student release (no reference solutions) a plot can only use the student's functions: ``NotSolvedYet``
    (shown by ``ui.guard`` as what to do) while any of them has not passed.
    """
    students: list[Choice | None] = []
    for exercise in exercises:
        state = state_of(ctx, exercise)
        if not state.passed_now:
            students.append(None)
            continue
        try:
            function = _student_function(exercise_file(ctx, exercise), exercise.name, state.digest)
        except StudentCodeError as error:
            st.warning(f"Your {exercise.name} passed its check but cannot be loaded now: {error}", icon="🚧")
            students.append(None)
            continue
        students.append(Choice(function, f"student:{state.digest}", f"your {exercise.name}", True))
    names = ", ".join(f"`{exercise.name}`" for exercise in exercises)
    if not references_available():
        pending = [exercise for exercise, student in zip(exercises, students) if student is None]
        if pending:
            raise NotSolvedYet(_not_solved_message(ctx, pending))
        st.caption(f"🧑‍🎓 Computed with **your** {names}.")
        return students
    references = [reference_choice(exercise) for exercise in exercises]
    if not any(students):
        pending = [f"`{exercise.name}`" for exercise, student in zip(exercises, students) if student is None]
        st.caption(f"📘 Computed with the **reference solution**: your {', '.join(pending)} "
                   f"{'has' if len(pending) == 1 else 'have'} not passed {'its' if len(pending) == 1 else 'their'} "
                   "check yet. Once it passes, this plot uses your code.")
        return references
    use_reference = st.toggle("Compare: show the reference solution instead", key=f"reference_{key}")
    if use_reference:
        st.caption(f"📘 Computed with the **reference solution** ({names}). Switch the toggle off to see yours.")
        return references
    picked = [student or reference for student, reference in zip(students, references)]
    mine = ", ".join(f"`{choice.label.removeprefix('your ')}`" for choice in picked if choice.is_student)
    rest = [f"`{choice.label.removeprefix('the reference ')}`" for choice in picked if not choice.is_student]
    note = f"🧑‍🎓 Computed with **your** {mine}"
    if rest:
        note += f" and the reference {', '.join(rest)} (yours has not passed its check yet)"
    st.caption(note + ".")
    return picked


def _not_solved_message(ctx: Context, pending: list[Exercise]) -> str:
    """What a student release shows instead of a plot whose exercises have not passed: which, where, what to do."""
    lines = []
    for exercise in pending:
        status = state_of(ctx, exercise).status
        now = {"not checked": "not checked yet", "changed": "changed since its last check"}.get(status, status)
        lines.append(f"- `{exercise.name}` in `{shown_path(exercise_file(ctx, exercise))}` "
                     f"(its Check is on page {exercise.page}): {now}")
    return ("**Not solved yet.** This part of the lesson is drawn with your own code (this copy of the lesson has "
            "no reference solutions), so it appears once these pass their checks:\n\n" + "\n".join(lines)
            + "\n\nWrite the function, save the file and press its **Check** button (or **Check all** in the "
              "sidebar).")


def reference_choice(exercise: Exercise) -> Choice:
    return Choice(reference_function(exercise), "reference", f"the reference {exercise.name}", False)


def with_fallback(compute, picked: list[Choice], exercises: list[Exercise]) -> tuple[object, list[Choice]]:
    """``(compute(*picked), picked)``; if the student's code fails on the lesson's data, say so and return the
    result of the references instead, with the references as the choices used."""
    try:
        return compute(*picked), list(picked)
    except Exception as error:  # noqa: BLE001 (their code passed its check but fails here: never a traceback)
        if not any(choice.is_student for choice in picked):
            raise
        _log.exception("student code failed on the bank")
        if not references_available():
            raise NotSolvedYet(f"**Your code failed on the lesson's data** ({type(error).__name__}: {error}), so "
                               "this part cannot be drawn. It passed its check, so the lesson's data must hold "
                               "something the check's cases do not: look at the shapes and values your function "
                               "gets, fix it, save and press **Check** again.") from None
        st.warning(f"Your code failed on the lesson's data ({type(error).__name__}: {error}), so this plot shows "
                   "the reference solution instead. Press Check again to see what the grader makes of it.",
                   icon="🚧")
        references = [reference_choice(exercise) for exercise in exercises]
        return compute(*references), references
