"""The lesson app: `streamlit run lesson/app/main.py` (or ./run-app). Navigation, data loading, sidebar, then the page."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(_PROJECT_ROOT) not in sys.path:  # `streamlit run lesson/app/main.py` puts lesson/app/ on the path, not the project
    sys.path.insert(0, str(_PROJECT_ROOT))

import streamlit as st  # noqa: E402

from lesson import curriculum  # noqa: E402
from lesson.app import bank_context, check_widget, frame  # noqa: E402

# Not "pages/": Streamlit treats a pages/ folder beside the entry point as a legacy multipage app and runs the
# first session of a fresh server through it, which sends a spurious "Page not found" for a deep link.
_PAGES = Path(__file__).resolve().parent / "lesson_pages"
_log = logging.getLogger("lesson.app")

st.set_page_config(page_title="How AlexNet represents images", page_icon="🧠", layout="wide",
                   initial_sidebar_state="expanded")

# The default page (Start) is served at "/" and does not answer its own url_path: it reserves "home" (unused), and
# a second, hidden entry of the same page answers /start.
PAGES = [st.Page(_PAGES / item.file, title=item.nav_title, icon=item.icon,
                 url_path="home" if item.number == "0" else item.url_path, default=item.number == "0")
         for item in curriculum.PAGES]
_START = curriculum.page("0")
PAGES.append(st.Page(_PAGES / _START.file, title=_START.nav_title, icon=_START.icon, url_path=_START.url_path,
                     visibility="hidden"))
page = st.navigation(PAGES)
frame.readable_styles()

ctx = bank_context.load_context()  # progress while the bank is built the first time; a clear message (and stop) on failure
with st.sidebar:
    st.markdown("### Your progress")
    progress_box = st.container()
    check_widget.check_all_button(ctx)
    frame.provenance_panel(ctx)
frame.banner(ctx)
try:
    page.run()
except Exception as error:  # noqa: BLE001 (no traceback ever reaches the page)
    _log.exception("page %s failed", page.title)
    st.error(f"**This page hit an unexpected error:** {type(error).__name__}: {error}\n\n"
             "Your files and reflections are safe. Try another page or reload this one; if it keeps happening, "
             "restart the app (`./run-app`). The details are in the terminal that runs the app.", icon="🚧")
finally:
    with progress_box:
        check_widget.progress_list(ctx)
