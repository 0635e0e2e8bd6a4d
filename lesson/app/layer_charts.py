"""Altair charts along components and layers: PCA spectra, components needed, layer profiles, the unit and image
studies. Line and bar charts that fill their column; the colours of layer kinds come from ``charts``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from lesson.app.charts import KIND_COLOURS, fixed_size, responsive

__all__ = ["variance_chart", "cumulative_chart", "components_chart", "SERIES_COLOURS", "profile_frame",
           "layer_profile_chart", "units_chart", "image_count_chart"]


_LOG_LABEL = "datum.value >= 0.001 ? format(datum.value, '~g') : format(datum.value, '.0e')"
_COMPONENT_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]


def variance_chart(frame: pd.DataFrame, selected: str, *, height: int = 300) -> alt.LayerChart:
    """Fraction of variance per component (log scale), the selected layer in colour, the others in grey.

    ``frame`` columns: layer, kind, component (1-based), fraction (of the layer's total variance).
    """
    base = alt.Chart(frame).encode(
        x=alt.X("component:Q", title="principal component (log scale)", scale=alt.Scale(type="log", nice=False),
                axis=alt.Axis(values=_COMPONENT_TICKS)),
        y=alt.Y("fraction:Q", title="fraction of variance (log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(values=[10.0**-power for power in range(0, 13)], labelExpr=_LOG_LABEL)),
        detail="layer:N",
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("component:Q"), alt.Tooltip("fraction:Q", format=".2e")],
    )
    others = base.transform_filter(alt.datum.layer != selected).mark_line(color="#bdbdbd", strokeWidth=1,
                                                                           opacity=0.6)
    chosen = base.transform_filter(alt.datum.layer == selected).mark_line(
        color="#d62728", strokeWidth=2.5, point=alt.OverlayMarkDef(size=18, color="#d62728"))
    chart = alt.layer(others, chosen).properties(height=height, title=f"{selected}: variance per component")
    return responsive(chart)


def cumulative_chart(frame: pd.DataFrame, selected: str, threshold: float, needed: int | None, *,
                     height: int = 300) -> alt.LayerChart:
    """Cumulative fraction of variance against the number of components; threshold and count marked.

    ``frame`` columns: layer, component (1-based), cumulative.
    """
    base = alt.Chart(frame).encode(
        x=alt.X("component:Q", title="number of components (log scale)", scale=alt.Scale(type="log", nice=False),
                axis=alt.Axis(values=_COMPONENT_TICKS)),
        y=alt.Y("cumulative:Q", title="cumulative fraction of variance", scale=alt.Scale(domain=[0, 1])),
        detail="layer:N",
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("component:Q"), alt.Tooltip("cumulative:Q", format=".3f")],
    )
    others = base.transform_filter(alt.datum.layer != selected).mark_line(color="#bdbdbd", strokeWidth=1,
                                                                           opacity=0.6)
    chosen = base.transform_filter(alt.datum.layer == selected).mark_line(color="#d62728", strokeWidth=2.5)
    layers = [others, chosen,
              alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(strokeDash=[5, 3], color="black")
              .encode(y="threshold:Q")]
    if needed is not None:
        marker = pd.DataFrame({"component": [needed], "cumulative": [threshold],
                               "label": [f"{needed} component{'s' if needed != 1 else ''}"]})
        point = alt.Chart(marker).encode(x="component:Q", y="cumulative:Q")
        layers += [alt.Chart(marker).mark_rule(color="#d62728", strokeDash=[2, 2]).encode(x="component:Q"),
                   point.mark_point(size=90, color="#d62728", filled=True),
                   point.mark_text(align="left", dx=8, dy=14, fontSize=13, fontWeight="bold",
                                   color="#d62728").encode(text="label:N")]
    chart = alt.layer(*layers).properties(height=height, title=f"{selected}: cumulative variance")
    return responsive(chart)


def components_chart(frame: pd.DataFrame, threshold: float, layer_order: Sequence[str], *,
                     highlight: str | None = None, height: int = 280) -> alt.LayerChart:
    """Components needed to reach ``threshold`` in every layer, in network order, coloured by layer type.

    ``frame`` columns: layer, kind, components.
    """
    kinds = list(KIND_COLOURS)
    base = alt.Chart(frame).encode(
        x=alt.X("layer:N", sort=list(layer_order), title=None,
                axis=alt.Axis(labelAngle=-60, labelFontSize=12, labelOverlap=False)),
        y=alt.Y("components:Q", title=f"components for {threshold:.0%} of the variance", stack=None),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("kind:N", title="layer type", scale=alt.Scale(domain=kinds, range=list(KIND_COLOURS.values())),
                        legend=alt.Legend(orient="top", columns=6)),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("kind:N", title="type"), alt.Tooltip("components:Q")],
    )
    layers = [bars]
    if highlight:
        layers.append(base.transform_filter(alt.datum.layer == highlight).mark_bar(
            fill=None, stroke="black", strokeWidth=2))
    labels = base.mark_text(dy=-7, fontSize=11).encode(text="components:Q")
    chart = alt.layer(*layers, labels).properties(width="container", height=height,
                                               title=f"Components for {threshold:.0%} of the variance, by layer")
    return responsive(chart)


SERIES_COLOURS = ("#d62728", "#1f77b4", "#7f7f7f")  # first series red, second blue, a third grey


def profile_frame(series: Mapping[str, Sequence[float]], layer_names: Sequence[str]) -> pd.DataFrame:
    """The long table ``layer_profile_chart`` draws: one row (layer, series, value) per layer of each series."""
    return pd.DataFrame([{"layer": name, "series": label, "value": float(value)}
                         for label, values in series.items() for name, value in zip(layer_names, values)])


def layer_profile_chart(frame: pd.DataFrame, layer_order: Sequence[str], *, y_title: str, title: str = "",
                        series_title: str = "", series_order: Sequence[str] | None = None, height: int = 240,
                        zero_rule: bool = False) -> alt.LayerChart:
    """One number per layer, for one or more series (e.g. two networks), as lines with points in network order.

    ``frame`` columns: layer, series, value. NaN values leave a gap.
    """
    series = list(series_order or dict.fromkeys(frame["series"]))
    base = alt.Chart(frame).encode(
        x=alt.X("layer:N", sort=list(layer_order), title=None,
                axis=alt.Axis(labelAngle=-60, labelFontSize=12, labelOverlap=False)),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("series:N", title=series_title or None, sort=series,
                        scale=alt.Scale(domain=series, range=list(SERIES_COLOURS[:len(series)])),
                        legend=alt.Legend(orient="top", labelLimit=400)),
        tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("series:N", title=series_title or "series"),
                 alt.Tooltip("value:Q", title=y_title, format=".3f")],
    )
    layers = [base.mark_line(strokeWidth=2), base.mark_point(filled=True, size=45)]
    if zero_rule:
        layers.insert(0, alt.Chart(pd.DataFrame({"value": [0.0]})).mark_rule(color="#888", strokeDash=[3, 3])
                      .encode(y="value:Q"))
    chart = alt.layer(*layers).properties(width="container", height=height)
    return responsive(chart.properties(title=title) if title else chart)


def units_chart(frame: pd.DataFrame, selected: str, threshold: float, *, width: int = 300,
                height: int = 220) -> alt.VConcatChart:
    """Both dimensionality estimates against the number of units used (log scale): one line per layer, the
    selected layer in red, the others in grey.

    ``frame`` columns: layer, n_units, components_needed, participation_ratio.
    """
    counts = sorted(set(int(count) for count in frame["n_units"]))
    panels = []
    for field, title in (("components_needed", f"components for {threshold:.0%} of the variance"),
                         ("participation_ratio", "participation ratio")):
        base = alt.Chart(frame).encode(
            x=alt.X("n_units:Q", title="units drawn from the layer (log scale)",
                    scale=alt.Scale(type="log", nice=False, domain=[min(counts), max(counts)]),
                    axis=alt.Axis(values=counts, format=",")),
            y=alt.Y(f"{field}:Q", title=title, scale=alt.Scale(zero=True)),
            detail="layer:N",
            tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("n_units:Q", title="units", format=","),
                     alt.Tooltip(f"{field}:Q", title=title, format=".3~f")],
        )
        others = base.transform_filter(alt.datum.layer != selected).mark_line(
            color="#bdbdbd", strokeWidth=1, opacity=0.7, point=alt.OverlayMarkDef(size=12, color="#bdbdbd"))
        chosen = base.transform_filter(alt.datum.layer == selected).mark_line(
            color="#d62728", strokeWidth=2.5, point=alt.OverlayMarkDef(size=40, color="#d62728"))
        panels.append(alt.layer(others, chosen).properties(width=width, height=height, title=title))
    return fixed_size(alt.vconcat(*panels, spacing=30).properties(title=f"{selected} in red, the other layers in grey"))



def image_count_chart(frame: pd.DataFrame, threshold_column: str, *, height: int = 260) -> alt.Chart:
    """Components against the number of images in the PCA: the n - 1 ceiling (dashed), the components with
    non-zero variance (which reach it) and the components needed for the threshold.

    ``frame`` columns: images, "n - 1", "components with variance", ``threshold_column``.
    """
    long = frame.melt(id_vars="images", value_vars=["n - 1", "components with variance", threshold_column],
                      var_name="series", value_name="components")
    order = ["n - 1", "components with variance", threshold_column]
    base = alt.Chart(long).encode(
        x=alt.X("images:Q", title="images in the PCA (n)", scale=alt.Scale(zero=True)),
        y=alt.Y("components:Q", title="components", scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", sort=order, title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=order, range=["#9e9e9e", "#4c78a8", "#d62728"])),
        strokeDash=alt.StrokeDash("series:N", sort=order, legend=None,
                                  scale=alt.Scale(domain=order, range=[[5, 4], [1, 0], [1, 0]])),
        tooltip=["series:N", alt.Tooltip("images:Q", title="images"), alt.Tooltip("components:Q")],
    )
    return responsive(base.mark_line(point=True).properties(width="container", height=height))
