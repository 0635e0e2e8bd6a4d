"""The Check widget: grade the student's current file from the app, show the result, and the sidebar progress.

Checks go through the grader's API (``grader.grade``), which runs the student's current file in a separate
process, so an edit is picked up by the next Check without restarting the app. The latest result of each
exercise is kept with the digest of what that function depends on (``student_code.function_digest``: its own
code and what it uses, not the rest of the file), in this session and on disk (``lesson.app.check_store``), so a reload, a
new tab or a restart shows the same results; a plot uses the student's function only while that digest is
unchanged and its check passed."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from pathlib import Path

import streamlit as st

from lesson.app import state_keys
from lesson.app.bank_context import Context
from lesson.app.check_jobs import CheckJob, cancel_job, start_job
from lesson.app.check_store import CheckState, digest_of, exercise_file, records, state_of, store
from lesson.app.frame import guard, shown_path
from lesson.curriculum import EXERCISES, Exercise, exercises_on
from lesson.references import references_available
from lesson.student_code import contract, file_digest, syntax_problem

__all__ = ["ICONS", "STATUS_WORDS", "CheckState", "state_of", "start_check", "collect_finished", "run_check",
           "check_widget", "page_checks", "check_all_button", "progress_list"]

_log = logging.getLogger("lesson.app")


ICONS = {"passed": "✅", "failed": "❌", "not attempted": "⬜", "error": "⚠️", "timeout": "⏱️",
         "memory": "⚠️",
         "not checked": "⚪", "changed": "🔄"}


def _grader():
    try:
        import grader
    except Exception as error:  # noqa: BLE001 (a half-installed grader must not break the lesson)
        _log.warning("grader not importable: %s", error)
        return None, f"{type(error).__name__}: {error}"
    if not hasattr(grader, "grade"):
        return None, "the grader package has no grade() function yet"
    return grader, ""


def _job() -> CheckJob | None:
    return st.session_state.get(state_keys.CHECK_JOB)


def _running() -> CheckJob | None:
    job = _job()
    return job if job is not None and not job.done else None


def start_check(ctx: Context, names: list[str] | None) -> str | None:
    """Start grading the named exercises (all when None) in the background; returns an error message or None.

    While a Check runs, another is not started (its click is answered with a note): no result is ever discarded."""
    if _running() is not None:
        return None
    grader, problem = _grader()
    if grader is None:
        return (f"The grader is not available ({problem}). Your code cannot be checked from the app right now; "
                + ("the plots use the reference solutions." if references_available()
                   else "run `./run-grader` in a terminal to check it."))
    wanted = [exercise for exercise in EXERCISES if names is None or exercise.name in names]
    # before grading: the digest of each function and what it uses
    digests = {exercise.name: digest_of(ctx, exercise) for exercise in wanted}
    st.session_state[state_keys.CHECK_JOB] = start_job(
        lambda exercises, **arguments: grader.grade(Path(ctx.settings.exercises_dir), exercises, **arguments),
        names=names, digests=digests, bank=ctx.grading_bank, settings=ctx.grading_settings,  # the lesson's images
        warm_torch=False)  # the app with its idle children stays under 1 GB: a torch child starts with each Check
    return None


def collect_finished(ctx: Context) -> None:
    """Move a finished Check's results into the session and the checks file (once); each result carries the
    Check's wall time."""
    job = _job()
    if job is None or not job.done or job.collected:
        return
    job.collected = True
    if job.report is None:
        return
    fresh = {result.name: (job.digests[result.name], replace(result, seconds=round(job.seconds, 2)))
             for result in job.report.exercises if result.name in job.digests}
    records(ctx).update(fresh)
    store(ctx, fresh)
    st.session_state[state_keys.LAST_REPORT] = job.report


def run_check(ctx: Context, names: list[str] | None) -> str | None:
    """Grade the named exercises (all when None), wait for the result and keep it; returns an error message or None."""
    problem = start_check(ctx, names)
    job = _running()
    if problem or job is None:
        return problem
    job.thread.join()
    collect_finished(ctx)
    return job.problem


def _wait_for(ctx: Context, job: CheckJob, label: str, key: str) -> None:
    """While ``job`` runs: what is being checked, for how long, and a Cancel button; returns when it is done."""
    box = st.empty()
    with box.container():
        if st.button("Cancel the Check", key=f"cancel_{key}", icon="⏹️"):
            cancel_job(job)
        status = st.empty()
        while not job.done:
            status.info(f"**Checking {label} …** {job.seconds:.0f} s so far. The rest of the page appears when it "
                        "is done; press **Cancel the Check** to stop it (for example if your code loops).",
                        icon="⏳")
            time.sleep(0.25)  # each update is a point where a click (Cancel) is served
    box.empty()
    collect_finished(ctx)
    if job.cancelled:
        st.info(f"The Check was cancelled after {job.seconds:.1f} s: nothing was graded. Fix your code (an infinite "
                "loop?) and save, then press **Check** again.", icon="⏹️")
    elif job.problem:
        st.error(job.problem, icon="🚧")


def _warnings_note(output: str) -> str:
    """The grader's explanation of numpy's warnings on undefined values in ``output`` ('' if none, or no grader)."""
    try:
        from grader.running.outcomes import explain_warnings
    except Exception:  # noqa: BLE001 (a half-installed grader must not break the lesson)
        return ""
    return explain_warnings(output)


def _seconds(seconds: float) -> str:
    """'0.4 s', '12 s', or 'under 0.1 s' (never '0.0 s')."""
    if seconds < 0.1:
        return "under 0.1 s"
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


_TRACEBACK = re.compile(r"\n(?=Traceback \(your code only\):|\S+(Error|Exception|Warning|Exit|Interrupt)\b)")


def _message_and_code(message: str) -> tuple[str, str]:
    """A case's message split into its words and its traceback (shown as code, with the student's line)."""
    match = _TRACEBACK.search(message)
    if match is None:
        return message, ""
    return message[:match.start()].strip(), message[match.start():].strip("\n")


def _show_case(case) -> None:
    if not case.ran:
        st.markdown(f"⏸️ **Not run** · {case.name}: the exercise stopped before this case.")
        return
    if case.passed:
        st.markdown(f"✅ **Passed** · {case.name}")
        return
    if case.hidden:
        st.markdown(f"❌ **Failed** · {case.name}: a hidden case (details withheld).")
        return
    words, code = _message_and_code(case.message)
    st.markdown(f"❌ **Failed** · **{case.name}**: {words}")
    if code:
        st.code(code, language="python", wrap_lines=True)
    if case.hint:
        st.markdown(f"💡 **Hint:** {case.hint}")


def _show_result(state: CheckState) -> None:
    result = state.result
    if result is None:
        st.caption("Not checked yet: press **Check** after you save your file.")
        return
    if state.status == "changed":
        st.info(f"**Changed:** your `{result.name}` (or something it uses) changed since it "
                f"{'passed' if result.passed else 'was last checked'}. Press **Check** again to test the new version.",
                icon="🔄")
    score = f"{result.score:g} of {result.max_score:g} points"
    status = result.status or ("passed" if result.passed else "failed" if result.attempted else "not attempted")
    words, code = _message_and_code(result.message)
    if result.passed:
        st.success(f"**Passed** · {score}. {words}", icon="✅")
    elif status == "not attempted":
        st.info(f"**Not attempted** · {words}", icon="⬜")  # "Not attempted yet: ..." (grader.judging.verdicts)
    elif status in ("error", "timeout", "memory"):
        title = {"error": "Error", "timeout": "Time limit", "memory": "Out of memory"}[status]
        st.warning(f"**{title}** · {score}. {words}", icon=ICONS[status])
    else:
        st.error(f"**Failed** · {score}. {words}", icon="❌")
    if code:
        st.code(code, language="python", wrap_lines=True)
    if result.hint:
        st.info(f"**Hint:** {result.hint}", icon="💡")
    elif result.diagnosis:  # no known mistake matched: a relation seen in the numbers
        st.info(f"**What the numbers show:** {result.diagnosis}", icon="🔎")
    cases = tuple(result.cases)
    if cases:
        n_passed = sum(case.passed for case in cases)
        with st.expander(f"Cases: {n_passed} of {len(cases)} passed"):
            for case in cases:
                _show_case(case)
    if result.output and result.output.strip():
        with st.expander("What your code printed"):
            st.code(result.output.rstrip(), language="text", wrap_lines=True)
            note = _warnings_note(result.output)
            if note:
                st.info(note, icon="ℹ️")
    isolation = getattr(st.session_state.get(state_keys.LAST_REPORT), "isolation", "")  # grader/running/bubblewrap.py
    ran_in = f" Ran in: {isolation}." if isolation else ""
    st.caption((f"Checked in {_seconds(result.seconds)}." if result.seconds else "") + ran_in)


def check_widget(ctx: Context, exercise: Exercise) -> None:
    """An exercise block: where to write it, its contract, a Check button and the latest result."""
    collect_finished(ctx)
    path = exercise_file(ctx, exercise)
    with st.container(border=True):
        st.markdown(f"### ✏️ Exercise: `{exercise.name}`")
        st.markdown(f"Write it in **`{shown_path(path)}`**, save the file, then press **Check**. "
                    f"The app uses it for {exercise.purpose}.")
        problem = _cached_syntax_problem(str(path), file_digest(path))
        if problem is not None:
            rest = ("The rest of the lesson keeps working with the reference solutions." if references_available()
                    else "The plots drawn with this file wait until it works again.")
            st.warning(f"{problem}\n\nFix this in your editor and save: nothing in this file can run until then. "
                       + rest, icon="🐞")
        spec = contract(exercise, path)
        with st.expander("The contract: what the function takes and returns"):
            indented = "\n".join(f"    {line}" if line else "" for line in spec.docstring.splitlines())
            st.code(f'{spec.signature}\n    """\n{indented}\n    """', language="python")
        busy = _running()
        if st.button("Check", key=f"check_{exercise.name}", type="primary", icon="▶️"):
            if busy is not None:
                st.info("A Check is already running: its result comes first; press **Check** again when it is done.",
                        icon="⏳")
            else:
                problem = start_check(ctx, [exercise.name])
                if problem:
                    st.error(problem, icon="🚧")
        job = _job()  # also one that already finished (a grader failing at once) but whose outcome is not shown yet
        if job is not None and not job.collected and job.covers(exercise.name):
            _wait_for(ctx, job, f"`{exercise.name}`" if job.names else "every exercise", exercise.name)
        _show_result(state_of(ctx, exercise))


def page_checks(ctx: Context, page: str) -> None:
    """The Check buttons of the exercises the curriculum gives ``page``, in lesson order, each in its own guard, under
    a heading of their own (each exercise block is headed one level below it)."""
    st.header("Your exercises")
    for exercise in exercises_on(page):
        with guard(f"the {exercise.name} exercise"):
            check_widget(ctx, exercise)


def check_all_button(ctx: Context) -> None:
    collect_finished(ctx)
    if st.button("Check all exercises", key="check_all", icon="▶️", width="stretch"):
        if _running() is not None:
            st.info("A Check is already running: wait for it, then try again.", icon="⏳")
        else:
            problem = start_check(ctx, None)
            if problem:
                st.error(problem, icon="🚧")
    job = _job()  # as in check_widget: also one that finished at once, its outcome not shown yet
    if job is not None and not job.collected and job.names is None:
        _wait_for(ctx, job, "every exercise", "all")


STATUS_WORDS = {"passed": "passed", "failed": "failed", "not attempted": "not attempted", "error": "error",
                 "timeout": "time limit", "memory": "out of memory", "not checked": "not checked",
                 "changed": "changed since it passed (or was checked)"}


def progress_list(ctx: Context) -> None:
    """The sidebar's progress: a bar, then one line per exercise with its latest check's status, in words too."""
    states = [(exercise, state_of(ctx, exercise)) for exercise in EXERCISES]
    n_passed = sum(state.passed_now for _, state in states)
    st.progress(n_passed / len(states), text=f"**{n_passed} of {len(states)}** exercises pass")
    st.markdown("  \n".join(f"{ICONS.get(state.status, '▫️')} `{exercise.name}`: "
                             f"{STATUS_WORDS.get(state.status, state.status)}" for exercise, state in states))


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_syntax_problem(path: str, digest: str) -> str | None:
    problem = syntax_problem(Path(path))
    return None if problem is None else str(problem)
