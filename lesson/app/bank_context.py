"""The bank context of every page: the settings, the activation bank (built with progress the first time) and the
notices about stand-ins."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from lesson.app import state_keys
from lesson.config import Settings

if TYPE_CHECKING:
    from lesson.data.bank import ActivationBank

__all__ = ["Context", "load_bank", "load_context", "context", "is_demo", "demo_facts", "demo_summary", "images_description",
           "use_lesson_images"]

_log = logging.getLogger("lesson.app")


@dataclass(frozen=True)
class Context:
    """Everything a page needs: the settings, the activation bank and the notices about stand-ins.

    With the student's own images (``own_images``: their folder), ``settings`` and ``bank`` are those of the
    own images; ``lesson_settings`` and ``lesson_bank`` stay the lesson's, on which the grader always checks.
    """

    settings: Settings
    bank: ActivationBank
    notices: tuple[str, ...]
    lesson_settings: Settings | None = None
    lesson_bank: ActivationBank | None = None
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
            "the data once in a terminal with `.venv/bin/python -m lesson prepare`.")


def _build(settings: Settings, title: str) -> tuple[object, tuple[str, ...]]:
    from lesson.data.prepare import prepare_bank

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
            from lesson.data.bank import load_bank as open_bank
            from lesson.data.build_worker import build_in_subprocess
            from lesson.data.prepare import import_analysis_libraries_in_background

            import_analysis_libraries_in_background()  # this process analyses the bank next
            bar.progress(0.02, text="Starting AlexNet in a separate process …")
            key, built_notices = build_in_subprocess(settings, on_progress, on_download)
            notices = tuple(dict.fromkeys(notices + built_notices))  # a repair said here, the sources' notices there
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

    Raises what ``lesson.data.prepare.prepare_bank`` raises; the caller turns it into a message.
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
    from lesson.data.errors import DataError

    expected = isinstance(error, DataError)  # a file, folder or setting to fix: the message says how
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

        grader.prewarm(_bank, torch=False)  # no idle torch child (0.5 GB): it starts with a Check
        return True
    except Exception:  # noqa: BLE001
        _log.warning("could not prewarm the grader", exc_info=True)
        return False


def _settings() -> tuple[Settings, tuple[str, ...]]:
    """The settings from the environment, with a temporary cache folder (and a notice) for an unusable one."""
    from lesson.data.prepare import usable_settings

    return usable_settings(Settings.from_env())


def load_context() -> Context:
    """The settings and the bank (loaded once per process); on failure a clear message and ``st.stop()``.

    With the student's own images chosen in this session, their bank (built once, with progress); if that
    fails, a message, and the lesson's images again.
    """
    try:
        settings, cache_notices = _settings()
        bank, notices = load_bank(settings)
        notices = cache_notices + notices
        _prewarm_grader(bank)
    except Exception as error:  # noqa: BLE001 (every failure becomes a message, never a traceback)
        expected = _log_failure(error, "the lesson data")
        title = "The data you asked for is not available" if expected else "The lesson data could not be prepared"
        st.error(f"**{title}.** {_what_to_do(error)}")
        st.button("Try again", type="primary")
        st.stop()
    folder = st.session_state.get(state_keys.OWN_IMAGES)
    if folder:
        own_settings = settings.with_(images=folder)
        try:
            own_bank, own_notices = load_bank(own_settings, title="Preparing your images (only the first time) …")
        except Exception as error:  # noqa: BLE001
            expected = _log_failure(error, "the student's images")
            st.session_state.pop(state_keys.OWN_IMAGES, None)
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


def demo_facts(ctx: Context) -> dict[str, str]:
    """What is a stand-in here, for the banner and the sidebar alike: {"weights": ..., "images": ...}, each only
    when it is one (untrained weights; images that are neither the lesson's nor the student's)."""
    facts = {}
    if not ctx.bank.is_pretrained:
        facts["weights"] = ctx.bank.provenance["weights"]["description"]
    if not ctx.real_images:
        facts["images"] = images_description(ctx)
    return facts


def demo_summary(ctx: Context) -> str:
    facts = demo_facts(ctx)
    parts = ([f"the network is **{facts['weights']}**, not the pretrained AlexNet"] if "weights" in facts else []) + (
        [f"the images are **{facts['images']}**, not the lesson's Imagenette photos"] if "images" in facts else [])
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
    st.session_state.pop(state_keys.OWN_IMAGES, None)
