"""Helpers for the app's tests: open a session on a page, read charts, write submissions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
APP = str(PROJECT_ROOT / "lesson" / "app" / "main.py")
PAGES = {
    "start": "lesson_pages/p0_start.py",
    "network": "lesson_pages/p1_network.py",
    "first_order": "lesson_pages/p2_first_order.py",
    "second_order": "lesson_pages/p3_second_order.py",
    "pca": "lesson_pages/p4_pca.py",
    "submit": "lesson_pages/p5_submit.py",
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


def write_image_folder(root: Path, classes: dict[str, int], *, seed: int = 0) -> Path:
    """A folder of class sub-folders of small PNGs: per class a shape (stripes, a disc, ...) in tints from red to
    blue, so that both class and colour structure exist. ``classes`` maps class names to image counts."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:64, 0:64] / 64.0
    for label, (name, count) in enumerate(classes.items()):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            if label % 2 == 0:
                pattern = (np.sin(2 * np.pi * rng.uniform(4, 7) * x + rng.uniform(0, 6)) + 1) / 2
            else:
                centre = rng.uniform(0.3, 0.7, size=2)
                pattern = (np.hypot(x - centre[0], y - centre[1]) < rng.uniform(0.2, 0.35)).astype(float)
            redness = index / max(count - 1, 1)
            tint = np.array([0.2 + 0.8 * redness, 0.4, 1.0 - 0.8 * redness])
            pixels = np.clip(0.1 + 0.85 * pattern[..., None] * tint + rng.normal(0, 0.02, (64, 64, 3)), 0, 1)
            Image.fromarray((pixels * 255).astype(np.uint8)).save(folder / f"{name}_{index:02d}.png")
    return root


def write_weights_file(path: Path, seed: int = 1) -> Path:
    """An AlexNet state dict that is neither pretrained nor the random stand-in, stored in a few hundred KB:
    each weight tensor is a strided view of a short random vector (w[i, j, ...] = v[i + j + ...])."""
    import torch
    from torchvision.models import alexnet

    generator = torch.Generator().manual_seed(seed)
    state = {}
    for name, tensor in alexnet(weights=None).state_dict().items():
        fan_in = tensor[0].numel() if tensor.ndim > 1 else 1
        vector = torch.randn(sum(size - 1 for size in tensor.shape) + 1, generator=generator)
        scale = fan_in ** -0.5 if tensor.ndim > 1 else 0.1
        state[name] = (vector * scale).as_strided(tensor.shape, (1,) * tensor.ndim)
    torch.save(state, path)
    return path


def reflection_boxes(app) -> dict[str, dict]:
    """The page's reflection boxes (lesson/app/answer_box.py): question id -> the data the app gave the box
    (value, version, status, ...)."""
    boxes = {}
    for element in app.main:
        if element.type == "bidi_component" and element.proto.component_name == "lesson_reflection_box":
            boxes[element.proto.id.rsplit("-reflection_", 1)[1]] = json.loads(element.proto.json)
    return boxes


_TYPED_AT = [0]


def type_in_box(app, question_id: str, text: str, at: float | None = None):
    """What the browser sends after typing ``text`` into a reflection box and pausing (then one rerun): the box's
    component state ``{"text": {"text": ..., "at": ms}}``. AppTest cannot type into a custom component, so the
    state is added to the widget states of the next run, as the frontend would send it."""
    element = next(element for element in app.main if element.type == "bidi_component"
                   and element.proto.id.endswith(f"-reflection_{question_id}"))
    if at is None:
        _TYPED_AT[0] += 1
        at = 1_800_000_000_000 + _TYPED_AT[0]  # later than anything sent before in this test run
    states = app._tree.get_widget_states()  # noqa: SLF001 (AppTest has no public way to drive a custom component)
    state = states.widgets.add()
    state.id = element.proto.id
    state.json_value = json.dumps({"text": {"text": text, "at": at}})
    return app._run(states)  # noqa: SLF001
