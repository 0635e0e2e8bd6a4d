"""Helpers for the app's tests: open a session on a page, read charts, write submissions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP = str(PROJECT_ROOT / "lesson" / "app.py")
PAGES = {
    "start": "pages/p0_start.py",
    "network": "pages/p1_network.py",
    "first_order": "pages/p2_first_order.py",
    "second_order": "pages/p3_second_order.py",
    "pca": "pages/p4_pca.py",
    "submit": "pages/p5_submit.py",
}
MODULES = ("rsa", "pca", "stimuli")


def write_solutions(folder: Path) -> None:
    """Turn ``folder`` into a passing submission: the reference solutions, made self-contained.

    The grader runs a submission where ``solutions`` cannot be imported, so the shared input checks are copied
    next to the files and imported from there.
    """
    shutil.copy(PROJECT_ROOT / "solutions" / "_validate.py", folder / "_validate.py")
    for module in MODULES:
        source = (PROJECT_ROOT / "solutions" / f"{module}.py").read_text()
        (folder / f"{module}.py").write_text(source.replace("from solutions._validate import",
                                                            "from _validate import"))


def open_app(page: str = "start", timeout: float = 120):
    """A fresh session (new AppTest) on ``page``: the first run lands on Start, as in a browser."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=timeout)
    app.run()
    if page != "start":
        app.switch_page(PAGES[page]).run()
    return app


def texts(elements) -> list[str]:
    return [str(element.value) for element in elements]


def charts(app) -> list:
    return list(app.get("vega_lite_chart"))


def chart_spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def chart_data(chart):
    """The chart's datasets (Arrow) as one concatenated pandas DataFrame."""
    import pandas as pd
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    frames = [convert_arrow_bytes_to_pandas_df(dataset.data.data) for dataset in chart.proto.datasets]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def assert_clean(app) -> None:
    """No exception element and no error box anywhere."""
    assert not app.exception, [element.value for element in app.exception]
    assert not app.error, texts(app.error)
