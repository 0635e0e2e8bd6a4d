"""Start page: what the lesson is about, how to work through it, where the data comes from, and progress so far."""

import streamlit as st

from lesson.app import bank_context, check_widget, frame
from lesson.curriculum import EXERCISES, LESSON_PAGES, QUESTIONS, exercises_on, questions_on
from lesson.reflections import answered, load_answers

ctx = bank_context.context()
bank = ctx.bank

frame.page_header(
    "🧠 How AlexNet represents images",
    "You have used correlations and PCA to make sense of recordings from real neurons. Here you point the same "
    "tools at an artificial network: **AlexNet**, the convolutional network that won the ImageNet challenge in "
    "2012. You show it the same photos, record every layer's response, and follow one question through the "
    "lesson: **as an image travels through the layers, what happens to its representation, and does its "
    "dimensionality go up, stay the same, or go down?**",
)

with frame.guard("how to work"):
    st.header("How to work")
    step_write, step_check, step_reflect = st.columns(3)
    with step_write.container(border=True):
        st.markdown("### 1 · Write code")
        st.markdown(f"Open the files in **`{frame.shown_path(ctx.settings.exercises_dir)}/`** in your editor and "
                    "replace each `raise NotImplementedError` with your implementation. Each function's docstring "
                    "is its contract; the app shows it next to the exercise.")
    with step_check.container(border=True):
        st.markdown("### 2 · Press Check")
        st.markdown("Every exercise has a **Check** button. It runs your saved file in a separate process on the "
                    "network's real activations and on edge cases, then tells you what passed, what did not, and "
                    "often why. Once a function passes, the plots on that page use **your** code.")
    with step_reflect.container(border=True):
        st.markdown("### 3 · Reflect")
        st.markdown(f"Each section ends with questions. Type your answers in the boxes: they are saved to "
                    f"**`{frame.shown_path(ctx.settings.reflections_path)}`** as you go and are part of what you hand "
                    "in on the **Submit** page.")

with frame.guard("the lesson map"):
    st.header("The lesson")
    answers = answered(load_answers(ctx.settings.reflections_path))
    lines = ["| section | what you find out | exercises | reflections answered |", "|---|---|---|---|"]
    for lesson_page in LESSON_PAGES:
        exercises = exercises_on(lesson_page.number)
        states = [(exercise, check_widget.state_of(ctx, exercise).status) for exercise in exercises]
        marks = " · ".join(f"{check_widget.ICONS.get(status, '▫️')} `{exercise.name}`: "
                             f"{check_widget.STATUS_WORDS.get(status, status)}" for exercise, status in states)
        questions = [question.id for question in questions_on(lesson_page.number)]
        lines.append(f"| **{lesson_page.number} · {lesson_page.title}** | {lesson_page.what} | {marks} | "
                     f"{sum(answers[q] for q in questions)} of {len(questions)} |")
    st.markdown("\n".join(lines))
    n_passed = sum(check_widget.state_of(ctx, exercise).passed_now for exercise in EXERCISES)
    st.caption(f"{n_passed} of {len(EXERCISES)} exercises pass in this session · "
               f"{sum(answers.values())} of {len(QUESTIONS)} reflections answered. "
               "Exercises count as passed once you press Check (or *Check all exercises* in the sidebar).")
    st.markdown("Sections 1 to 4 also hold optional boxes marked **🧪 Beyond the lesson**: your own images "
                "(Section 1), Euclidean distance instead of correlation (Section 2), an untrained AlexNet beside "
                "the trained one (Sections 2 to 4) and a second measure of dimensionality (Section 4). They are "
                "not graded.")

with frame.guard("the data provenance"):
    st.header("Where the data comes from")
    provenance = bank.provenance
    weights, images = provenance["weights"], provenance["images"]
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Network weights:** {weights['description']}  \n"
                    f"id `{weights['id']}`, sha256 `{weights['sha256'][:16]}…`")
        st.markdown(f"**Images:** {bank_context.images_description(ctx)}  \n"
                    f"{images['n_images']} images in {len(images['class_names'])} classes "
                    f"({', '.join(images['class_names'])}), manifest sha256 `{images['manifest_sha256'][:16]}…`")
        st.markdown(f"**Preprocessing:** {provenance['preprocessing']}")
    with right:
        st.markdown(f"**Activation bank:** `{bank.key}`, built {provenance.get('created', '?')}  \n"
                    f"Full responses of {len(bank.rsa_indices)} images for similarity analysis; "
                    f"{provenance['pca_units']} randomly drawn units per layer for PCA.")
        versions = provenance.get("versions", {})
        st.markdown("**Software:** " + ", ".join(f"{name} {value}" for name, value in versions.items()))
    if bank_context.is_demo(ctx):
        st.info("The figures in this lesson are made with stand-in data (see the warning above). Everything works "
                "the same way, but the patterns the questions ask about appear clearly only with the pretrained "
                "network and the lesson's photos.", icon="ℹ️")
