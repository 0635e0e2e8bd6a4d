"""Submit page: grade every exercise, see which reflections are answered, and how to hand the work in."""

import pandas as pd
import streamlit as st

from lesson.app import bank_context, check_widget, frame
from lesson.curriculum import EXERCISES, QUESTIONS
from lesson.reflections import ReflectionsFileError, answered, load_answers

ctx = bank_context.context()

frame.page_header(
    "5 · Submit",
    "Before you hand in, grade everything once more here: this runs exactly the checks your instructor's grader "
    "runs, on your files as they are saved now.",
)

with frame.guard("the grade summary"):
    st.header("Exercises")
    if st.button("Grade all exercises", key="grade_all", type="primary", icon="▶️"):
        with st.spinner("Grading every exercise …"):
            problem = check_widget.run_check(ctx, None)
        if problem:
            st.error(problem, icon="🚧")
    states = [(exercise, check_widget.state_of(ctx, exercise)) for exercise in EXERCISES]
    rows = []
    for exercise, state in states:
        result = state.result
        rows.append({
            "": check_widget.ICONS.get(state.status, "▫️"), "exercise": exercise.name, "page": exercise.page,
            "file": f"{exercise.module}.py", "status": state.status,
            "points": f"{result.score:g} / {result.max_score:g}" if result is not None else "",
            "message": result.message if result is not None else "",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"": st.column_config.TextColumn(width="small"),
                                "message": st.column_config.TextColumn(width="large")})
    checked = [state.result for _, state in states if state.result is not None and state.status != "changed"]
    if len(checked) == len(states):
        score = sum(result.score for result in checked)
        total = sum(result.max_score for result in checked)
        n_passed = sum(state.passed_now for _, state in states)
        (st.success if n_passed == len(states) else st.info)(
            f"**{score:g} of {total:g} points** · {n_passed} of {len(states)} exercises pass.")
    else:
        st.caption("Press **Grade all exercises** for your current score; results of earlier checks are shown as "
                   "long as the function (and what it uses) has not changed since.")

with frame.guard("the reflections status"):
    st.header("Reflections")
    try:
        answers = load_answers(ctx.settings.reflections_path)
    except ReflectionsFileError as error:
        st.error(f"{error}", icon="🚧")
        answers = {}
    status = answered(answers)
    n_answered = sum(status.values())
    st.progress(n_answered / len(QUESTIONS), text=f"{n_answered} of {len(QUESTIONS)} answered")
    lines = [f"{'✅' if status[question.id] else '⬜'} **{question.id}** (page {question.page}): "
             f"{question.prompt}" for question in QUESTIONS]
    st.markdown("  \n".join(lines))
    st.caption(f"Saved in `{frame.shown_path(ctx.settings.reflections_path)}`. To change an answer, go back to its "
               "section (or edit the file by hand).")

with frame.guard("how to hand in"):
    st.header("How to hand in")
    exercises_dir = frame.shown_path(ctx.settings.exercises_dir)
    reflections = frame.shown_path(ctx.settings.reflections_path)
    st.markdown("Your work is two things: your exercise files and your reflections. Commit both and push them to "
                "your repository:")
    st.code(f"git add {exercises_dir}/*.py {reflections}\n"
            "git commit -m \"My AlexNet lesson\"\n"
            "git push", language="bash", wrap_lines=True)  # wrapped: a scrolling box is out of a keyboard's reach
    st.markdown("The same grading report is available in a terminal, without the app (from the repository's "
                "folder; it sets itself up the first time):")
    st.code("./run-grader", language="bash")
    st.caption("Your instructor grades the pushed files with the same grader, on the pretrained network and the "
               "lesson's images.")
