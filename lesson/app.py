"""The lesson app: `streamlit run lesson/app.py` (or ./run-app). Navigation, data loading, sidebar, then the page."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(_PROJECT_ROOT) not in sys.path:  # `streamlit run lesson/app.py` puts lesson/ on the path, not the project
    sys.path.insert(0, str(_PROJECT_ROOT))

import streamlit as st  # noqa: E402

from lesson import checks, ui  # noqa: E402

_PAGES = Path(__file__).resolve().parent / "pages"
_log = logging.getLogger("lesson.app")

st.set_page_config(page_title="How AlexNet represents images", page_icon="🧠", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = [
    st.Page(_PAGES / "p0_start.py", title="Start", icon="🏠", url_path="start", default=True),
    st.Page(_PAGES / "p1_network.py", title="1 Network and images", icon="🖼️", url_path="network"),
    st.Page(_PAGES / "p2_first_order.py", title="2 First-order similarity", icon="🟥", url_path="first-order"),
    st.Page(_PAGES / "p3_second_order.py", title="3 Second-order similarity", icon="🔗", url_path="second-order"),
    st.Page(_PAGES / "p4_pca.py", title="4 PCA and dimensionality", icon="📉", url_path="pca"),
    st.Page(_PAGES / "p5_submit.py", title="5 Submit", icon="📬", url_path="submit"),
]
page = st.navigation(PAGES)

ctx = ui.load_context()  # progress while the bank is built the first time; a clear message (and stop) on failure
with st.sidebar:
    st.markdown("### Your progress")
    progress_box = st.container()
    checks.check_all_button(ctx)
    ui.provenance_panel(ctx)
ui.banner(ctx)
try:
    page.run()
except Exception as error:  # noqa: BLE001 (no traceback ever reaches the page)
    _log.exception("page %s failed", page.title)
    st.error(f"**This page hit an unexpected error:** {type(error).__name__}: {error}\n\n"
             "Your files and reflections are safe. Try another page or reload this one; if it keeps happening, "
             "restart the app (`./run-app`). The details are in the terminal that runs the app.", icon="🚧")
finally:
    with progress_box:
        checks.progress_list(ctx)
