"""Altair chart builders for the lesson's pages: pure functions from numpy arrays to charts (no Streamlit, no I/O).

Every correlation heatmap shares one diverging colour scale fixed to [-1, 1] (blue negative, white 0, red
positive) and marks undefined (NaN) cells in grey. Big charts ask for the canvas renderer and keep a fixed
size in pixels (``autosize=pad``), which Streamlit's theme would otherwise shrink.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

__all__ = [
    "CANVAS", "KIND_COLOURS", "fixed_size", "responsive", "similarity_scale", "similarity_matrix_chart",
    "small_multiples_chart", "layer_matrix_chart", "layer_matrix_pair_chart", "pitfall_chart", "redness_chart", "top5_chart",
]

CANVAS = {"embedOptions": {"renderer": "canvas"}}
NAN_COLOUR = "#b8b8b8"
KIND_COLOURS = {"conv": "#4c78a8", "relu": "#f58518", "pool": "#54a24b", "avgpool": "#72b7b2",
                "dropout": "#9d9d9d", "linear": "#b279a2"}
_PAD = alt.AutoSizeParams(type="pad")


def similarity_scale(title: str = "r") -> alt.Color:
    """The shared diverging colour encoding of field ``value``: -1 blue, 0 white, +1 red, always the same. Its
    legend sits below the chart, so that a heatmap needs no more width than its own."""
    return alt.Color("value:Q", title=title,
                     scale=alt.Scale(scheme="redblue", domain=[-1, 1], domainMid=0, reverse=True, clamp=True),
                     legend=alt.Legend(gradientLength=160, values=[-1, -0.5, 0, 0.5, 1], format=".1f",
                                       orient="bottom", direction="horizontal", titleOrient="left"))


def _colour_or_grey(title: str) -> alt.Color:
    return alt.condition("isValid(datum.value) && isFinite(datum.value)", similarity_scale(title),
                         alt.value(NAN_COLOUR))


def fixed_size(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Canvas, fixed size, and every axis label at its own row or column (Streamlit's theme flushes the end ones)."""
    return chart.properties(usermeta=CANVAS, autosize=_PAD).configure_axis(labelFlush=False)


def responsive(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Line and bar charts fill their column (no fixed width) and draw on a canvas."""
    return chart.properties(usermeta=CANVAS).configure_axis(labelFlush=False)


def _matrix_frame(matrix: np.ndarray) -> pd.DataFrame:
    n_rows, n_columns = matrix.shape
    rows, columns = np.indices((n_rows, n_columns))
    values = np.asarray(matrix, dtype=np.float64).ravel()
    return pd.DataFrame({"row": rows.ravel(), "col": columns.ravel(),
                         "value": np.where(np.isfinite(values), values, np.nan)})


def similarity_matrix_chart(matrix: np.ndarray, image_names: Sequence[str], image_classes: Sequence[str], *,
                            class_edges: Sequence[float] = (), redness_edges: Sequence[float] = (),
                            size: int = 360, title: str = "", selection_name: str | None = "cell",
                            value_title: str = "r") -> alt.LayerChart:
    """One first-order matrix (n_images × n_images) with class boundaries (solid) and redness boundaries (dashed).

    The tooltip names both images; ``selection_name`` adds a click selection on fields ``row`` and ``col``;
    ``value_title`` names the measure in the legend and tooltip.
    """
    n_images = matrix.shape[0]
    frame = _matrix_frame(matrix)
    frame["x"], frame["x2"] = frame["col"] - 0.5, frame["col"] + 0.5
    frame["y"], frame["y2"] = frame["row"] - 0.5, frame["row"] + 0.5
    names, classes = np.asarray(image_names), np.asarray(image_classes)
    frame["image (row)"] = names[frame["row"]]
    frame["image (column)"] = names[frame["col"]]
    frame["classes"] = [f"{a} · {b}" for a, b in zip(classes[frame["row"]], classes[frame["col"]])]

    starts = [0] + [int(edge + 0.5) for edge in class_edges]
    ends = [int(edge + 0.5) for edge in class_edges] + [n_images]
    centres = [(start + end - 1) / 2 for start, end in zip(starts, ends)]
    label_of = {round(centre, 1): str(classes[start]) for centre, start in zip(centres, starts)}
    label_expr = " : ".join(f"datum.value == {value} ? '{name}'" for value, name in label_of.items()) + " : ''"
    domain = [-0.5, n_images - 0.5]
    x_axis = alt.Axis(values=list(label_of), labelExpr=label_expr, ticks=False, grid=False, title=None,
                      labelAngle=0, labelFontSize=12, orient="top", domain=False)
    y_axis = alt.Axis(values=list(label_of), labelExpr=label_expr, ticks=False, grid=False, title=None,
                      labelAngle=-90, labelAlign="center", labelBaseline="bottom", labelFontSize=12, domain=False)
    x_scale = alt.Scale(domain=domain, nice=False, zero=False)
    y_scale = alt.Scale(domain=domain, nice=False, zero=False, reverse=True)
    base = alt.Chart(frame).encode(
        x=alt.X("x:Q", scale=x_scale, axis=x_axis), x2="x2:Q",
        y=alt.Y("y:Q", scale=y_scale, axis=y_axis), y2="y2:Q",
    )
    cells = base.mark_rect().encode(
        color=_colour_or_grey(value_title),
        tooltip=[alt.Tooltip("image (row):N"), alt.Tooltip("image (column):N"), alt.Tooltip("classes:N"),
                 alt.Tooltip("value:Q", title=value_title, format=".3f")],
    )
    if selection_name:
        selection = alt.selection_point(name=selection_name, fields=["row", "col"], on="click", clear="dblclick")
        cells = cells.add_params(selection).encode(
            stroke=alt.condition(selection, alt.value("black"), alt.value(None), empty=False),
            strokeWidth=alt.condition(selection, alt.value(2), alt.value(0), empty=False),
        )
    layers = [cells]
    edge_rows = ([{"at": edge, "edge": "class"} for edge in class_edges]
                 + [{"at": edge, "edge": "redness"} for edge in redness_edges])
    if edge_rows:
        edges = pd.DataFrame(edge_rows)
        dash = alt.condition("datum.edge == 'class'", alt.value([1, 0]), alt.value([4, 3]))
        width = alt.condition("datum.edge == 'class'", alt.value(2), alt.value(1))
        layers.append(alt.Chart(edges).mark_rule(color="black", opacity=0.8).encode(
            x=alt.X("at:Q", scale=x_scale), strokeDash=dash, strokeWidth=width))
        layers.append(alt.Chart(edges).mark_rule(color="black", opacity=0.8).encode(
            y=alt.Y("at:Q", scale=y_scale), strokeDash=dash, strokeWidth=width))
    chart = alt.layer(*layers).properties(width=size, height=size)
    return fixed_size(chart.properties(title=title) if title else chart)


def small_multiples_chart(matrices: np.ndarray, layer_names: Sequence[str], *, panel: int = 90,
                          columns: int = 4, value_title: str = "r") -> alt.FacetChart:
    """All layers' first-order matrices (n_layers, n, n) as small multiples on the one shared [-1, 1] scale.

    4 columns of 90 px (about 400 px with the spacing) fit the page's column from a 768 px window on."""
    frames = []
    for name, matrix in zip(layer_names, matrices):
        frame = _matrix_frame(matrix)
        frame["layer"] = name
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    n_images = matrices.shape[1]
    scale = alt.Scale(domain=[-0.5, n_images - 0.5], nice=False, zero=False)
    data["x"], data["x2"] = data["col"] - 0.5, data["col"] + 0.5
    data["y"], data["y2"] = data["row"] - 0.5, data["row"] + 0.5
    panel_chart = alt.Chart().mark_rect().encode(
        x=alt.X("x:Q", scale=scale, axis=None), x2="x2:Q",
        y=alt.Y("y:Q", scale=alt.Scale(domain=[-0.5, n_images - 0.5], nice=False, zero=False, reverse=True),
                axis=None), y2="y2:Q",
        color=_colour_or_grey(value_title),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("row:O", title="image (row)"),
                 alt.Tooltip("col:O", title="image (column)"),
                 alt.Tooltip("value:Q", title=value_title, format=".3f")],
    ).properties(width=panel, height=panel)
    chart = alt.FacetChart(
        data=data, spec=panel_chart,
        facet=alt.Facet("layer:N", sort=list(layer_names), title=None,
                        header=alt.Header(labelFontSize=13, labelFontWeight="bold", labelPadding=4)),
        columns=columns, spacing={"row": 8, "column": 10},
    )
    return fixed_size(chart)


def _layer_frame(matrix: np.ndarray, layer_names: Sequence[str]) -> pd.DataFrame:
    frame = _matrix_frame(matrix)
    names = np.asarray(layer_names)
    frame["layer (row)"], frame["layer (column)"] = names[frame["row"]], names[frame["col"]]
    return frame


def _layer_heatmap(frame: pd.DataFrame, layer_names: Sequence[str], *, step: int, title: str,
                   show_values: bool, label_size: int = 12) -> alt.LayerChart:
    order = list(layer_names)
    base = alt.Chart(frame).encode(
        x=alt.X("layer (column):N", sort=order, title=None,
                axis=alt.Axis(labelAngle=-60, labelFontSize=label_size, orient="bottom", labelOverlap=False)),
        y=alt.Y("layer (row):N", sort=order, title=None,
                axis=alt.Axis(labelFontSize=label_size, labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=_colour_or_grey("ρ"),
        tooltip=[alt.Tooltip("layer (row):N"), alt.Tooltip("layer (column):N"),
                 alt.Tooltip("value:Q", title="Spearman ρ", format=".3f")],
    )
    layers = [cells]
    if show_values:
        layers.append(base.mark_text(fontSize=max(7, step // 3)).encode(
            text=alt.Text("value:Q", format=".2f"),
            color=alt.condition("abs(datum.value) > 0.6", alt.value("white"), alt.value("black"))))
    chart = alt.layer(*layers).properties(width=alt.Step(step), height=alt.Step(step))
    return chart.properties(title=title) if title else chart


def layer_matrix_chart(matrix: np.ndarray, layer_names: Sequence[str], *, step: int = 15, title: str = "",
                       show_values: bool = False) -> alt.LayerChart:
    """The (n_layers × n_layers) second-order matrix with the layers' conventional names on both axes."""
    return fixed_size(_layer_heatmap(_layer_frame(matrix, layer_names), layer_names, step=step, title=title,
                                  show_values=show_values))


def layer_matrix_pair_chart(left: np.ndarray, right: np.ndarray, layer_names: Sequence[str], *, left_title: str,
                            right_title: str, step: int = 15) -> alt.VConcatChart:
    """Two (n_layers × n_layers) second-order matrices, one above the other (side by side they would not fit a
    laptop's column), on the one shared [-1, 1] scale."""
    charts = [_layer_heatmap(_layer_frame(matrix, layer_names), layer_names, step=step, title=title,
                             show_values=False, label_size=11)
              for matrix, title in ((left, left_title), (right, right_title))]
    return fixed_size(alt.vconcat(*charts, spacing=24).resolve_scale(color="shared"))


def pitfall_chart(correct: np.ndarray, buggy: np.ndarray, layer_names: Sequence[str], *, step: int = 15,
                  correct_title: str = "Correct extraction (outputs copied)",
                  buggy_title: str = "Buggy extraction (in-place ReLU overwrote them)") -> alt.VConcatChart:
    """Two second-order matrices side by side on the shared scale: the correct extraction and the buggy one."""
    return layer_matrix_pair_chart(correct, buggy, layer_names, left_title=correct_title, right_title=buggy_title,
                                   step=step)


def redness_chart(redness: np.ndarray, class_names_per_image: Sequence[str], image_names: Sequence[str],
                  role: Sequence[str], class_order: Sequence[str]) -> alt.Chart:
    """Each image's redness as a dot on its class's row; the picked reddest / least red images stand out."""
    frame = pd.DataFrame({"redness": np.asarray(redness, dtype=np.float64), "class": list(class_names_per_image),
                          "image": list(image_names), "role": list(role)})
    frame["jitter"] = np.random.default_rng(0).uniform(-1, 1, len(frame))  # fixed: the dots do not jump on reruns
    frame["order"] = (frame["role"] != "not picked").astype(int)  # picked dots drawn on top
    roles = ["reddest", "least red", "not picked"]
    chart = alt.Chart(frame).mark_circle(size=70, stroke="black", strokeWidth=0.4).encode(
        x=alt.X("redness:Q", title="redness = mean R − (mean G + mean B) / 2"),
        y=alt.Y("class:N", sort=list(class_order), title=None, axis=alt.Axis(labelFontSize=12)),
        yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-2, 2])),  # dots fill the middle half of a row
        color=alt.Color("role:N", scale=alt.Scale(domain=roles, range=["#d62728", "#1f77b4", "#d9d9d9"]),
                        legend=alt.Legend(title="picked for RSA", orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("image:N"), alt.Tooltip("class:N"), alt.Tooltip("redness:Q", format=".3f"),
                 alt.Tooltip("role:N")],
    ).properties(width="container", height=alt.Step(56))
    return responsive(chart)


def top5_chart(categories: Sequence[str], probabilities: Sequence[float], *, title: str = "") -> alt.Chart:
    """Horizontal bars: one image's five most probable ImageNet classes, most probable on top (probability axis
    fixed to [0, 1] so that an untrained network's ~0.1 % guesses look as small as they are)."""
    frame = pd.DataFrame({"category": list(categories), "probability": np.asarray(probabilities, dtype=float)})
    chart = alt.Chart(frame).mark_bar(color="#4c78a8").encode(
        y=alt.Y("category:N", sort=list(categories), title=None, axis=alt.Axis(labelLimit=120)),  # full names in the tooltip
        x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="probability"),
        tooltip=["category", alt.Tooltip("probability:Q", format=".2%")],
    ).properties(width="container", height=alt.Step(22))  # fills its (narrow) column, like the other charts
    return responsive(chart.properties(title=title) if title else chart)
