"""The optional "Beyond the lesson" parts of the pages: their frame, an untrained AlexNet beside the network in
use (built only when asked for, with progress), and the form that points the lesson at the student's own images.

The numbers these parts show come from ``lesson.analysis.beyond`` (pure numpy); this module only loads data and
draws Streamlit widgets.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from lesson.app import bank_context, cached, state_keys
from lesson.references import ReferencesUnavailable, references_available

if TYPE_CHECKING:
    from lesson.analysis.reference_results import ReferenceResults
    from lesson.data.bank import ActivationBank

__all__ = ["section", "prompt", "Comparison", "untrained_comparison", "own_images_section",
           "separation_summary", "second_order_summary", "dimensionality_summary"]

_log = logging.getLogger("lesson.app")


@contextlib.contextmanager
def section(title: str, *, needs_references: bool = True):
    """A bordered box headed "Beyond the lesson (optional)", so that nobody mistakes it for the graded lesson.

    Parts that need the reference solutions raise ``ReferencesUnavailable`` before their body runs in a student
    release (``frame.guard`` shows it as a note).
    """
    with st.container(border=True):
        st.markdown(f"### 🧪 Beyond the lesson (optional): {title}")
        if needs_references and not references_available():
            raise ReferencesUnavailable("This optional part uses the reference solutions, which this copy of the "
                                        "lesson (a student release) leaves out. Your instructor's copy of the "
                                        "lesson has it.")
        yield


def prompt(question: str) -> None:
    """The one short question an optional part asks (to think about; not a graded reflection). The untrained
    network, which spans pages 2 to 4, asks its question once, on page 3."""
    st.caption(f"🤔 **Think about it:** {question}")


@dataclass(frozen=True)
class Comparison:
    """The network in use and an untrained AlexNet on the same images, with their reference analyses."""

    current_bank: ActivationBank
    untrained_bank: ActivationBank
    current: ReferenceResults
    untrained: ReferenceResults
    current_label: str  # short, for legends: "pretrained" or the weights file's name
    untrained_label: str

    @property
    def labels(self) -> list[str]:
        return [self.current_label, self.untrained_label]


def _untrained_settings(ctx: bank_context.Context):
    return ctx.settings.with_(weights="random")


def _remember_untrained(widget_key: str) -> None:
    st.session_state[state_keys.UNTRAINED] = bool(st.session_state.get(widget_key))


def untrained_comparison(ctx: bank_context.Context, section: str) -> Comparison | None:
    """The toggle that asks for the untrained network; when on, the comparison (building the untrained bank
    the first time, with progress) or a message saying why there is nothing to compare.

    One choice for pages 2, 3 and 4: each page's toggle (key ``untrained_<section>``) starts from the value kept
    in session state and writes it back when flipped (a widget key shared by pages would be restored only on a
    page's second visit).
    """
    widget_key = f"untrained_{section}"
    st.session_state[widget_key] = bool(st.session_state.get(state_keys.UNTRAINED, False))
    on = st.toggle("Show an untrained AlexNet beside this one", key=widget_key, on_change=_remember_untrained,
                   args=(widget_key,))
    seed = ctx.settings.random_seed
    if not on:
        st.caption(f"The same architecture with random weights (seed {seed}), never trained, on the same images. "
                   "Its activations are computed the first time you switch this on (about a quarter of a minute, "
                   "once); the switch applies to pages 2, 3 and 4.")
        return None
    weights = ctx.bank.provenance["weights"]
    if weights["kind"] == "random":
        st.info(f"**Both networks would be random here, so there is nothing to compare.** The network in use is "
                f"already an untrained one ({weights['description']}): the pretrained weights are not in use "
                "(see the warning at the top of the page). Two columns would show the same untrained network "
                "twice. Once the pretrained weights are in place (online: `.venv/bin/python -m lesson prepare`, "
                "then restart the app), this part shows what training changed.", icon="🎲")
        return None
    try:
        untrained, _ = bank_context.load_bank(_untrained_settings(ctx),
                                    title="Preparing the untrained network's activations (only the first time) …")
        if (untrained.image_names != ctx.bank.image_names
                or not np.array_equal(untrained.rsa_indices, ctx.bank.rsa_indices)):
            raise RuntimeError("the untrained network's bank holds other images than the one in use")
        with st.spinner("Analysing the untrained network's layers (once) …"):
            results = cached.reference(untrained)
    except Exception as error:  # noqa: BLE001 (a message, and the rest of the page goes on)
        _log.exception("could not prepare the untrained network")
        st.error(f"**The untrained network could not be prepared:** {type(error).__name__}: {error}. The rest of "
                 "the page is unaffected; switch the toggle off and on to try again.", icon="🚧")
        return None
    current_label = "pretrained" if ctx.bank.is_pretrained else f"weights {weights['id']}"
    return Comparison(ctx.bank, untrained, cached.reference(ctx.bank), results, current_label,
                      f"untrained (seed {seed})")


def _refuse_small_classes(checked, n_extreme: int) -> None:
    """Every page orders each class's images as its ``n_extreme`` reddest, then its ``n_extreme`` least red: a class
    with fewer than 2 · n_extreme readable images cannot fill that order, so the folder is refused now, by name."""
    from lesson.data.images import ImageSourceError

    needed = 2 * n_extreme
    for name, count in checked.class_counts:
        if count < needed:
            raise ImageSourceError(f"class {name!r} has {count} readable image{'s' if count != 1 else ''}, and every "
                                   f"class needs at least {needed} (its {n_extreme} reddest and its {n_extreme} least "
                                   f"red are shown on every page). Add {needed - count} more to {name!r}, or remove "
                                   "that sub-folder.")


def _ask_for_folder() -> None:
    """The button's callback: keep the request in session state, where it outlives the click.

    A click is sent once: a rerun that reaches the app while the click's run is still building the bank (a
    reflection box saving, any other widget) starts a new run without the click, and a build done only in the
    click's run was silently abandoned. The request stays until ``_try_folder`` has answered it."""
    st.session_state[state_keys.OWN_IMAGES_REQUEST] = st.session_state.get("own_images_path") or ""


def _try_folder(ctx: bank_context.Context, typed: str) -> None:
    """Check the typed folder, build its bank with progress, and switch the session to it (or keep the message);
    the request is dropped once answered (an interrupted run leaves it for the next run to finish)."""
    from lesson.data.errors import DataError
    from lesson.data.own_images import check_image_folder

    st.session_state.pop(state_keys.OWN_IMAGES_PROBLEM, None)
    try:
        checked = check_image_folder(typed, per_class=ctx.grading_settings.images_per_class)
        _refuse_small_classes(checked, ctx.grading_settings.n_extreme)
        bank_context.load_bank(ctx.grading_settings.with_(images=str(checked.root)),
                     title="Preparing your images (only the first time) …")
    except DataError as error:  # the folder, an image or a setting: the message names it and says what to do
        st.session_state[state_keys.OWN_IMAGES_PROBLEM] = (typed, f"**This folder cannot be used.** {error}")
        st.session_state.pop(state_keys.OWN_IMAGES_REQUEST, None)
        return
    except Exception as error:  # noqa: BLE001 (a broken image library, a full disk: a message, not a traceback)
        _log.exception("could not prepare the student's images")
        st.session_state[state_keys.OWN_IMAGES_PROBLEM] = (typed, f"**Your images could not be prepared:** "
                                                        f"{type(error).__name__}: {error}")
        st.session_state.pop(state_keys.OWN_IMAGES_REQUEST, None)
        return
    st.session_state.pop(state_keys.OWN_IMAGES_REQUEST, None)
    st.session_state[state_keys.OWN_IMAGES] = str(checked.root)
    st.session_state[state_keys.OWN_IMAGES_UNREADABLE] = (str(checked.root), checked.unreadable)
    st.rerun()  # every part of the app (banner, sidebar, this page) now shows the new images


def own_images_section(ctx: bank_context.Context) -> None:
    """A path box for a folder of class sub-folders; checked, then the whole lesson recomputes on those images."""
    per_class = ctx.grading_settings.images_per_class
    with section("your own images", needs_references=False):
        st.markdown(f"Point the whole lesson at a folder of your own pictures: one sub-folder per class, e.g. "
                    f"`FOLDER/cats/*.jpg` and `FOLDER/dogs/*.jpg`. AlexNet runs on the first {per_class} images "
                    "of each class (sorted by file name), and every page then shows your images: similarity, "
                    "layers, PCA. The results are kept apart from the lesson's, and the exercises are still "
                    "checked on the lesson's images.")
        typed = st.text_input("Folder of class sub-folders", key="own_images_path", persist_state="session",
                              placeholder="/home/me/pictures/my-classes")
        use, back, _ = st.columns([1, 1, 2])
        use.button("Use these images", key="own_images_use", type="primary", icon="🖼️", on_click=_ask_for_folder)
        requested = st.session_state.get(state_keys.OWN_IMAGES_REQUEST)
        if requested is not None:
            _try_folder(ctx, requested)
        if ctx.own_images:
            back.button("Back to the lesson's images", key="own_images_back", on_click=bank_context.use_lesson_images)
        problem = st.session_state.get(state_keys.OWN_IMAGES_PROBLEM)
        if problem and problem[0] == (typed or ""):
            st.error(problem[1], icon="🖼️")
        if ctx.own_images:
            images = ctx.bank.provenance["images"]
            st.success(f"Shown now: **{bank_context.images_description(ctx)}**; classes {', '.join(images['class_names'])}.",
                       icon="✅")
            folder, unreadable = st.session_state.get(state_keys.OWN_IMAGES_UNREADABLE, ("", ()))
            if unreadable and folder == ctx.own_images:
                more = f" and {len(unreadable) - 20} more" if len(unreadable) > 20 else ""
                st.warning(f"{len(unreadable)} file(s) could not be read and were left out: "
                           f"{', '.join(unreadable[:20])}{more}.", icon="⚠️")
        prompt("Pick two classes that differ in colour but not in shape (or the reverse). In which layers do "
               "the blocks of Section 2 follow the colour, and where do they follow the class?")


# --- What differs, in one sentence each (numbers from lesson.analysis.beyond) ---------------------------------------

def _peak(values: np.ndarray, layer_names, *, lowest: bool = False) -> tuple[str, float] | None:
    values = np.asarray(values, dtype=np.float64)
    if not np.isfinite(values).any():
        return None
    position = int(np.nanargmin(values) if lowest else np.nanargmax(values))
    return layer_names[position], float(values[position])


def separation_summary(separation: dict[str, np.ndarray], layer_names) -> str:
    """Where each network separates the classes most, and where the two differ most (per-layer values)."""
    (first_label, first), (second_label, second) = separation.items()
    peaks = [_peak(first, layer_names), _peak(second, layer_names)]
    gap = _peak(np.abs(np.asarray(first) - np.asarray(second)), layer_names)
    if None in peaks or gap is None:
        return "**What differs:** the class separation is undefined here (constant responses)."
    at = list(layer_names).index(gap[0])
    return (f"**What differs:** the classes stand apart most in **{peaks[0][0]}** for the {first_label} network "
            f"(within − between = {peaks[0][1]:+.2f}) and in **{peaks[1][0]}** for the {second_label} one "
            f"({peaks[1][1]:+.2f}). The two differ most in **{gap[0]}**: {first[at]:+.2f} against {second[at]:+.2f}.")


def second_order_summary(means: dict[str, float], agreement: np.ndarray, layer_names) -> str:
    """Mean second-order similarity of both networks, and where the networks' layers agree most and least."""
    (first_label, first), (second_label, second) = means.items()
    most, least = _peak(agreement, layer_names), _peak(agreement, layer_names, lowest=True)
    text = (f"**What differs:** on average two layers have ρ = {first:.2f} in the {first_label} network and "
            f"ρ = {second:.2f} in the {second_label} one")
    if most is None or least is None:
        return text + "."
    return text + (f". Layer for layer, the two networks arrange the images most alike in **{most[0]}** "
                   f"(ρ = {most[1]:.2f}) and least alike in **{least[0]}** (ρ = {least[1]:.2f}).")


def dimensionality_summary(needed: dict[str, np.ndarray], ratios: dict[str, np.ndarray], layer_names,
                           threshold: float) -> str:
    """Components needed (for ``threshold``) and participation ratio of both networks: first and last layer,
    and the layer where the component counts differ most."""
    (first_label, first), (second_label, second) = needed.items()
    first_ratio, second_ratio = ratios.values()
    gap = _peak(np.abs(np.asarray(first, dtype=float) - np.asarray(second, dtype=float)), layer_names)
    at = list(layer_names).index(gap[0]) if gap else len(layer_names) - 1
    last = len(layer_names) - 1
    return (f"**What differs:** for {threshold:.0%} of the variance, {layer_names[0]} needs {first[0]} components "
            f"in the {first_label} network and {second[0]} in the {second_label} one; {layer_names[last]} needs "
            f"{first[last]} and {second[last]}. The counts differ most in **{layer_names[at]}**: {first[at]} against "
            f"{second[at]} (participation ratio {first_ratio[at]:.1f} against {second_ratio[at]:.1f}).")
