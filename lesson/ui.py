"""Shared page helpers: loading the bank with progress, the sidebar, the demo banner, error guards, the page header."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st

from lesson.config import PROJECT_ROOT, Settings
from lesson.student import NotSolvedYet, ReferencesUnavailable

__all__ = ["Context", "context", "load_context", "load_bank", "guard", "provenance_panel", "reflection_boxes",
           "banner", "shown_path", "page_header", "is_demo", "OWN_IMAGES_KEY", "use_lesson_images",
           "images_description"]

_log = logging.getLogger("lesson.app")
OWN_IMAGES_KEY = "lesson_own_images"  # session state: the folder of the student's own images, while shown


@dataclass(frozen=True)
class Context:
    """Everything a page needs: the settings, the activation bank and the notices about stand-ins.

    With the student's own images (``own_images``: their folder), ``settings`` and ``bank`` are those of the
    own images; ``lesson_settings`` and ``lesson_bank`` stay the lesson's, on which the grader always checks.
    """

    settings: Settings
    bank: object  # lesson.bank.ActivationBank
    notices: tuple[str, ...]
    lesson_settings: Settings | None = None
    lesson_bank: object | None = None
    own_images: str | None = None

    @property
    def grading_settings(self) -> Settings:
        return self.lesson_settings or self.settings

    @property
    def grading_bank(self):
        return self.lesson_bank or self.bank

    @property
    def real_images(self) -> bool:
        """The lesson's images or the student's own: not the synthetic stand-in."""
        return bool(self.bank.is_lesson_images or self.own_images)


@st.cache_resource(show_spinner=False, max_entries=8)
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


def _build(settings: Settings, title: str) -> tuple[object, tuple[str, ...]]:
    from lesson.sources import prepare_bank

    started = time.perf_counter()
    box = st.status(title, expanded=True)
    bar = box.progress(0.0, text="Looking for the images and the network weights …")

    def on_progress(message: str, fraction: float) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    def on_download(done: int, total: int | None) -> None:
        megabytes = done / 1e6
        if total:
            bar.progress(min(done / total, 1.0), text=f"Downloading: {megabytes:.1f} of {total / 1e6:.1f} MB")
        else:
            bar.progress(0.0, text=f"Downloading: {megabytes:.1f} MB")

    try:
        bank, sources = prepare_bank(settings, progress=on_progress, download_progress=on_download, build=False)
        notices = tuple(sources.notices)
        if bank is None:  # built in another process: torch and the network never load into the app's
            from lesson.bank import load_bank as open_bank
            from lesson.build_worker import build_in_subprocess
            from lesson.sources import import_analysis_libraries_in_background

            import_analysis_libraries_in_background()  # this process analyses the bank next
            bar.progress(0.02, text="Starting AlexNet in a separate process …")
            key, notices = build_in_subprocess(settings, on_progress, on_download)
            bank = open_bank(settings.cache_dir / "banks" / key)
    except BaseException:
        box.update(label=f"{title.rstrip(' …')}: failed", state="error", expanded=False)
        raise
    box.update(label="Data ready", state="complete", expanded=False)
    _log.info("prepared bank %s (%s, %s) in %.1f s", bank.key, settings.weights, settings.images,
              time.perf_counter() - started)
    return bank, notices


def load_bank(settings: Settings, *, title: str = "Preparing the lesson data (only the first time) …"):
    """``(bank, notices)`` for these settings, loaded once per process (a progress box while it is built).

    Raises what ``lesson.sources.prepare_bank`` raises; the caller turns it into a message.
    """
    slot = _bank_slot(repr(settings))
    if "bank" not in slot:
        placeholder = st.empty()
        try:
            with placeholder.container():
                with slot["lock"]:  # a second window waits for the first one's build instead of starting another
                    if "bank" not in slot:
                        bank, notices = _build(settings, title)
                        _read_only(bank)
                        slot["bank"], slot["notices"] = bank, notices
        finally:
            placeholder.empty()
    bank = slot["bank"]
    return bank, tuple(slot["notices"] or bank.provenance.get("notices", ()))


def _log_failure(error: BaseException, what: str) -> bool:
    """Log a failed bank preparation; True when it is an expected, explained one (data unavailable)."""
    from lesson.images import ImageSourceError
    from lesson.sources import SourceUnavailable

    expected = isinstance(error, (SourceUnavailable, ImageSourceError))
    if expected:
        _log.warning("%s unavailable: %s", what, error)
    else:
        _log.exception("could not prepare %s", what)
    return expected


@st.cache_resource(show_spinner=False, max_entries=4)
def _prewarm_grader(_bank) -> bool:
    """Once per bank and process: start the grader's idle child processes and prepare every case's inputs in the
    background, so that even the first Check answers quickly. A failure here only costs speed, never the page."""
    try:
        import grader

        grader.prewarm(_bank)
        return True
    except Exception:  # noqa: BLE001
        _log.warning("could not prewarm the grader", exc_info=True)
        return False


def load_context() -> Context:
    """The settings and the bank (loaded once per process); on failure a clear message and ``st.stop()``.

    With the student's own images chosen in this session, their bank (built once, with progress); if that
    fails, a message, and the lesson's images again.
    """
    settings = Settings.from_env()
    try:
        bank, notices = load_bank(settings)
        _prewarm_grader(bank)
    except Exception as error:  # noqa: BLE001 (every failure becomes a message, never a traceback)
        expected = _log_failure(error, "the lesson data")
        title = "The data you asked for is not available" if expected else "The lesson data could not be prepared"
        st.error(f"**{title}.** {_what_to_do(error)}")
        st.button("Try again", type="primary")
        st.stop()
    folder = st.session_state.get(OWN_IMAGES_KEY)
    if folder:
        own_settings = settings.with_(images=folder)
        try:
            own_bank, own_notices = load_bank(own_settings, title="Preparing your images (only the first time) …")
        except Exception as error:  # noqa: BLE001
            expected = _log_failure(error, "the student's images")
            st.session_state.pop(OWN_IMAGES_KEY, None)
            reason = str(error) if expected else f"{type(error).__name__}: {error}"
            st.error(f"**Your images at `{folder}` could not be used:** {reason}\n\nThe lesson's images are shown "
                     "again.", icon="🖼️")
        else:
            return Context(own_settings, own_bank, own_notices, lesson_settings=settings, lesson_bank=bank,
                           own_images=folder)
    return Context(settings, bank, notices)


def context() -> Context:
    """For pages: the context ``app.py`` loaded in this run (cheap: the slot is already filled)."""
    return load_context()


def is_demo(ctx: Context) -> bool:
    """Stand-in data: untrained weights, or images that are neither the lesson's nor chosen by the student here."""
    return not ctx.bank.is_pretrained or not ctx.real_images


def _demo_summary(ctx: Context) -> str:
    provenance = ctx.bank.provenance
    parts = []
    if not ctx.bank.is_pretrained:
        parts.append(f"the network is **{provenance['weights']['description']}**, not the pretrained AlexNet")
    if not ctx.real_images:
        parts.append(f"the images are **{provenance['images']['description']}**, not the lesson's Imagenette photos")
    return ("Demo mode: " + " and ".join(parts) + ". Everything works, but the figures will not show what the "
            "lesson describes. To get the real data, see below.")


def images_description(ctx: Context) -> str:
    """Which images are shown, for people. For the student's own folder it names the folder chosen in this
    session: a bank is keyed by image content, so its stored description may name another copy of them."""
    images = ctx.bank.provenance["images"]
    if ctx.own_images:
        return (f"your images from `{ctx.own_images}` ({len(images['class_names'])} classes, "
                f"{images['n_images']} images)")
    return images["description"]


def use_lesson_images() -> None:
    """Back to the lesson's images (a button callback: runs before the rerun that follows the click)."""
    st.session_state.pop(OWN_IMAGES_KEY, None)


def banner(ctx: Context) -> None:
    """At the top of every page: which images are shown when they are the student's own, and a visible warning
    when the weights or the images are stand-ins."""
    if ctx.own_images:
        text, button = st.columns([3, 1], vertical_alignment="center")
        text.info(f"**Your own images:** every page now shows {images_description(ctx)}, not the lesson's images. "
                  "The exercises' **Check** still tests your code on the lesson's images.", icon="🖼️")
        button.button("Back to the lesson's images", key="own_images_back_banner", on_click=use_lesson_images)
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
    except (NotSolvedYet, ReferencesUnavailable) as missing:  # a student release: nothing to draw this with yet
        st.info(str(missing), icon="📝")
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
        st.markdown(f"**Images:** {images_description(ctx)}  \n{images['n_images']} images; classes: "
                    f"{', '.join(images['class_names'])}")
        st.markdown(f"**Activation bank:** `{ctx.bank.key}`  \n{len(ctx.bank.layer_paths)} layers; PCA on "
                    f"{provenance['pca_units']} units per layer")
    if ctx.own_images:
        st.info("Showing your own images; the exercises are still checked on the lesson's.", icon="🖼️")
    if is_demo(ctx):
        missing = [text for flag, text in ((ctx.bank.is_pretrained, "untrained weights"),
                                           (ctx.real_images, "stand-in images"))
                   if not flag]
        st.warning(f"Demo data: {' and '.join(missing)}. See the banner on each page.", icon="⚠️")


def reflection_boxes(ctx: Context, section: str) -> None:
    """One box per reflection question of the section, saved to the reflections file while the student types
    (``lesson.reflection_box``).

    The file is the truth: a new session starts from it, and an answer edited in the file by hand (while the
    app runs) replaces what the box held. Saving merges: only the changed answer is rewritten.
    """
    from lesson.reflection_box import reflection_box
    from lesson.reflections import QUESTIONS, load_answers

    path = Path(ctx.settings.reflections_path)
    questions = [question for question in QUESTIONS if question.section == section]
    baseline = st.session_state.setdefault("lesson_reflection_baseline", {})  # id -> the text the box was given
    versions = st.session_state.setdefault("lesson_reflection_versions", {})
    saved_at = st.session_state.setdefault("lesson_reflection_saved_at", {})
    try:
        on_disk = load_answers(path)
    except (OSError, UnicodeDecodeError) as error:
        st.error(f"Could not read your reflections from {path}: {error}. Your typing is kept in this window, but "
                 "copy it somewhere safe until the file is readable again.", icon="🚧")
        on_disk = None
    st.markdown("### 📝 Reflections")
    st.caption(f"Your answers are saved to `{shown_path(path)}` as you type (a moment after you pause). You can "
               "also edit that file by hand.")
    for question in questions:
        if on_disk is not None and baseline.get(question.id) != on_disk.get(question.id, ""):
            baseline[question.id] = on_disk.get(question.id, "")  # a new session, or edited outside this window
            versions[question.id] = versions.get(question.id, 0) + 1
            saved_at.pop(question.id, None)
        st.markdown(f"**{question.id}.** {question.prompt}")
        reflection_box(question.id, f"{question.id}. {question.prompt}", baseline.get(question.id, ""),
                       versions.get(question.id, 0),
                       f"Saved at {saved_at[question.id]}" if question.id in saved_at else "",
                       lambda question_id, text: _store_answer(path, question_id, text))
        problem = st.session_state.get(f"lesson_reflection_error_{question.id}")
        if problem:
            st.error(problem, icon="🚧")


def _store_answer(path: Path, question_id: str, text: str) -> None:
    """Write one answer into the reflections file (merging with the others); a failure is shown under the box."""
    from lesson.reflections import load_answers, save_answers

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
    # What the file holds now came from this window: the next run must not give it back to the box as an edit
    # from outside (the box may already hold newer typing).
    st.session_state.setdefault("lesson_reflection_baseline", {})[question_id] = load_answers(path).get(question_id, "")
    st.session_state.setdefault("lesson_reflection_saved_at", {})[question_id] = time.strftime("%H:%M:%S")
