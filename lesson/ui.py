"""Shared page helpers: loading the bank with progress, the sidebar, the demo banner, error guards, the page header."""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from lesson.config import PROJECT_ROOT, Settings

__all__ = ["Context", "context", "load_context", "guard", "provenance_panel", "reflection_boxes", "banner",
           "shown_path", "page_header", "is_demo"]

_log = logging.getLogger("lesson.app")


@dataclass(frozen=True)
class Context:
    """Everything a page needs: the settings, the activation bank and the notices about stand-ins."""

    settings: Settings
    bank: object  # lesson.bank.ActivationBank
    notices: tuple[str, ...]


@st.cache_resource(show_spinner=False, max_entries=4)
def _bank_slot(settings_key: str) -> dict:
    """A process-wide slot per settings: filled once with the bank, outside any cached function (see NOTES)."""
    return {"lock": threading.Lock()}


def _read_only(bank) -> None:
    for name in ("labels", "redness", "rsa_indices"):  # (images and activations are read-only memory maps)
        array = getattr(bank, name)
        if isinstance(array, np.ndarray):
            array.flags.writeable = False


def _what_to_do(error: BaseException) -> str:
    text = str(error)
    return (f"{text}\n\n**What to do:** check the message above, then press *Try again*. To work without the "
            "network, set `LESSON_OFFLINE=1` (synthetic images and an untrained network stand in), or prepare "
            "the data once in a terminal with `python -m lesson prepare`.")


def _build(settings: Settings) -> tuple[object, tuple[str, ...]]:
    from lesson.sources import prepare_bank

    box = st.status("Preparing the lesson data (only the first time) …", expanded=True)
    bar = box.progress(0.0, text="Looking for the images and the network weights …")

    def on_progress(message: str, fraction: float) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    def on_download(done: int, total: int | None) -> None:
        megabytes = done / 1e6
        if total:
            bar.progress(min(done / total, 1.0), text=f"Downloading: {megabytes:.1f} of {total / 1e6:.1f} MB")
        else:
            bar.progress(0.0, text=f"Downloading: {megabytes:.1f} MB")

    bank, sources = prepare_bank(settings, progress=on_progress, download_progress=on_download)
    box.update(label="Lesson data ready", state="complete", expanded=False)
    return bank, tuple(sources.notices)


def load_context() -> Context:
    """The settings and the bank (loaded once per process); on failure a clear message and ``st.stop()``."""
    settings = Settings.from_env()
    slot = _bank_slot(repr(settings))
    if "bank" not in slot:
        placeholder = st.empty()
        with placeholder.container():
            with slot["lock"]:  # a second window waits for the first one's build instead of starting another
                if "bank" not in slot:
                    try:
                        bank, notices = _build(settings)
                    except Exception as error:  # noqa: BLE001 (every failure becomes a message, never a traceback)
                        from lesson.sources import SourceUnavailable

                        if isinstance(error, SourceUnavailable):  # expected, and explained on the page
                            _log.warning("lesson data unavailable: %s", error)
                        else:
                            _log.exception("could not prepare the activation bank")

                        title = ("The data you asked for is not available" if isinstance(error, SourceUnavailable)
                                 else "The lesson data could not be prepared")
                        st.error(f"**{title}.** {_what_to_do(error)}")
                        st.button("Try again", type="primary")
                        st.stop()
                    _read_only(bank)
                    slot["bank"], slot["notices"] = bank, notices
        placeholder.empty()
    bank = slot["bank"]
    notices = slot["notices"] or tuple(bank.provenance.get("notices", ()))
    return Context(settings, bank, tuple(notices))


def context() -> Context:
    """For pages: the context ``app.py`` loaded in this run (cheap: the slot is already filled)."""
    return load_context()


def is_demo(ctx: Context) -> bool:
    return not (ctx.bank.is_pretrained and ctx.bank.is_lesson_images)


def _demo_summary(ctx: Context) -> str:
    provenance = ctx.bank.provenance
    parts = []
    if not ctx.bank.is_pretrained:
        parts.append(f"the network is **{provenance['weights']['description']}**, not the pretrained AlexNet")
    if not ctx.bank.is_lesson_images:
        parts.append(f"the images are **{provenance['images']['description']}**, not the lesson's Imagenette photos")
    return ("Demo mode: " + " and ".join(parts) + ". Everything works, but the figures will not show what the "
            "lesson describes. To get the real data, see below.")


def banner(ctx: Context) -> None:
    """A visible warning at the top of every page when the weights or the images are stand-ins."""
    if not is_demo(ctx):
        return
    st.warning(_demo_summary(ctx), icon="⚠️")
    with st.expander("Why, and how to get the real data"):
        for notice in ctx.notices:
            st.markdown(f"- {notice}")
        if not ctx.notices:
            st.markdown("- The settings asked for these stand-ins (`LESSON_IMAGES` / `LESSON_WEIGHTS` / "
                        "`LESSON_OFFLINE`).")
        st.markdown("To use the real data: unset `LESSON_OFFLINE`, `LESSON_IMAGES` and `LESSON_WEIGHTS`, make sure "
                    "the computer is online, and run `python -m lesson prepare` once; then restart the app.")


def shown_path(path: Path) -> str:
    """A path as the student should read it: relative to the project when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def guard(what: str):
    """Run a part of a page; an unexpected error there becomes a short message and the rest of the page goes on."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 (no traceback ever reaches the page)
        _log.exception("error while showing %s", what)
        st.error(f"**Something went wrong while showing {what}:** {type(error).__name__}: {error}\n\n"
                 "The rest of the page still works. If this keeps happening, restart the app "
                 "(`./run-app`); the full details are in the terminal that runs it.", icon="🚧")


def page_header(title: str, lead: str) -> None:
    st.title(title)
    st.markdown(lead)


def provenance_panel(ctx: Context) -> None:
    """Where the weights, the images and the bank come from (for the sidebar)."""
    provenance = ctx.bank.provenance
    weights, images = provenance["weights"], provenance["images"]
    with st.expander("Data provenance", expanded=False):
        st.markdown(f"**Weights:** {weights['description']}  \n"
                    f"`{weights['id']}` · sha256 `{weights['sha256'][:12]}…`")
        st.markdown(f"**Images:** {images['description']}  \n{images['n_images']} images; classes: "
                    f"{', '.join(images['class_names'])}")
        st.markdown(f"**Activation bank:** `{ctx.bank.key}`  \n{len(ctx.bank.layer_paths)} layers; PCA on "
                    f"{provenance['pca_units']} units per layer")
    if is_demo(ctx):
        missing = [text for flag, text in ((ctx.bank.is_pretrained, "untrained weights"),
                                           (ctx.bank.is_lesson_images, "stand-in images")) if not flag]
        st.warning(f"Demo data: {' and '.join(missing)}. See the banner on each page.", icon="⚠️")


def reflection_boxes(ctx: Context, section: str) -> None:
    """One text box per reflection question of the section, saved to the reflections file whenever it changes.

    The file is the truth: a new session starts from it, and an answer edited in the file by hand (while the
    app runs) replaces what the box held. Saving merges: only the changed answer is rewritten.
    """
    from lesson.reflections import QUESTIONS, load_answers

    path = Path(ctx.settings.reflections_path)
    questions = [question for question in QUESTIONS if question.section == section]
    try:
        on_disk = load_answers(path)
    except (OSError, UnicodeDecodeError) as error:
        st.error(f"Could not read your reflections from {path}: {error}. Your typing is kept in this window, but "
                 "copy it somewhere safe until the file is readable again.", icon="🚧")
        on_disk = None
    baseline = st.session_state.setdefault("lesson_reflection_baseline", {})
    st.markdown("### 📝 Reflections")
    st.caption(f"Your answers are saved to `{shown_path(path)}` each time you click outside a box or press "
               "Ctrl+Enter. You can also edit that file by hand.")
    for question in questions:
        key = f"reflection_{question.id}"
        if on_disk is not None:
            answer = on_disk.get(question.id, "")
            if key not in st.session_state or baseline.get(question.id) != answer:
                st.session_state[key] = answer  # a new session, or the file was edited outside this window
                baseline[question.id] = answer
        st.text_area(f"**{question.id}.** {question.prompt}", key=key, height=130, persist_state="session",
                     on_change=_save_reflection, args=(path, question.id, key),
                     placeholder="Write your answer here …")
        problem = st.session_state.get(f"lesson_reflection_error_{question.id}")
        if problem:
            st.error(problem, icon="🚧")


def _save_reflection(path: Path, question_id: str, key: str) -> None:
    from lesson.reflections import load_answers, save_answers

    text = st.session_state.get(key, "") or ""
    try:
        answers = load_answers(path)
        answers[question_id] = text
        save_answers(path, answers)
    except (OSError, UnicodeDecodeError) as error:
        _log.exception("could not save reflection %s", question_id)
        st.session_state[f"lesson_reflection_error_{question_id}"] = (
            f"Could not save this answer to {path}: {error}. It is still in the box; copy it somewhere safe.")
        return
    st.session_state.pop(f"lesson_reflection_error_{question_id}", None)
    st.session_state.setdefault("lesson_reflection_baseline", {})[question_id] = text.strip()
