"""The page frame: the page header, the demo banner, the provenance panel, and the guard that turns an error into
a message."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import streamlit as st

from lesson.app.bank_context import Context, demo_facts, demo_summary, images_description, is_demo, use_lesson_images
from lesson.config import PROJECT_ROOT
from lesson.references import NotSolvedYet, ReferencesUnavailable

__all__ = ["readable_styles", "banner", "shown_path", "guard", "page_header", "provenance_panel", "sidebar_demo_note"]

_log = logging.getLogger("lesson.app")


# Streamlit draws captions at 60 % opacity of the text colour: 3.8:1 on white, under the 4.5:1 that WCAG AA asks
# of small text. At 80 % they read at about 6:1, in the light and the dark theme alike.
_STYLES = """<style>
[data-testid="stCaptionContainer"] { color: inherit; opacity: 0.8; }
</style>"""


def readable_styles() -> None:
    """Once per run, before anything else is drawn: the few style fixes that keep every page readable."""
    st.html(_STYLES)


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
    st.warning(demo_summary(ctx), icon="⚠️")
    with st.expander("Why, and how to get the real data"):
        for notice in ctx.notices:
            st.markdown(f"- {notice}")
        if not ctx.notices:
            st.markdown("- The settings asked for these stand-ins (`LESSON_IMAGES` / `LESSON_WEIGHTS` / "
                        "`LESSON_OFFLINE`).")
        st.markdown("To use the real data: unset `LESSON_OFFLINE`, `LESSON_IMAGES` and `LESSON_WEIGHTS`, make sure "
                    "the computer is online, and run `.venv/bin/python -m lesson prepare` once; then restart the app.")


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
        st.warning(sidebar_demo_note(ctx), icon="⚠️")


def sidebar_demo_note(ctx: Context) -> str:
    """The banner's demo warning, short: the same facts (what the weights and the images are), in the same words."""
    parts = [f"the {what} are {description}" for what, description in demo_facts(ctx).items()]
    return f"**Demo data:** {' and '.join(parts)}. See the banner at the top of each page."
