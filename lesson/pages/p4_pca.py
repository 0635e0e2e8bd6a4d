"""Section 4: PCA per layer (variance explained, cumulative fraction) and the components each layer needs."""

import numpy as np
import pandas as pd
import streamlit as st

from lesson import analysis, charts, checks, derived, ui
from lesson.student import EXERCISES_BY_NAME

ctx = ui.context()
bank = ctx.bank
n_images = int(bank.provenance["images"]["n_images"])
pca_units = int(bank.provenance["pca_units"])

ui.page_header(
    "4 · PCA and dimensionality",
    f"Now use all {n_images} images. For each layer, the responses form a data matrix with one row per image and "
    "one column per unit. PCA finds the directions in unit space along which the images vary most; the number "
    "of directions needed to capture most of the variance is a simple measure of the representation's "
    "**dimensionality**.",
)
st.markdown(
    f"Most layers have far more units than we have images, so from each layer we draw **{pca_units:,} units at "
    "random** (fewer if the layer is smaller). The draw uses a fixed seed derived from the layer's name, so it is "
    f"the same on every run and every computer. With {n_images} images there are at most {n_images - 1} "
    "components with non-zero variance once the data are centred."
)

for exercise_name in ("PCA", "components_to_reach"):
    with ui.guard(f"the {exercise_name} exercise"):
        checks.check_widget(ctx, EXERCISES_BY_NAME[exercise_name])

def _variance_frame(spectra, layer_names) -> pd.DataFrame:
    """Long table: layer, component (1-based), fraction of the layer's variance; components with ~0 left out."""
    rows = []
    for name, (variance, _) in zip(layer_names, spectra):
        fraction = variance / variance.sum()
        keep = fraction > analysis.NEGLIGIBLE_VARIANCE * fraction[0]  # the last component is ~0 after centring
        rows.append(pd.DataFrame({"layer": name, "component": np.arange(1, len(variance) + 1)[keep],
                                  "fraction": fraction[keep]}))
    return pd.concat(rows, ignore_index=True)


def _cumulative_frame(spectra, layer_names) -> pd.DataFrame:
    """Long table: layer, component (1-based), cumulative fraction of variance."""
    return pd.concat([pd.DataFrame({"layer": name, "component": np.arange(1, len(cumulative) + 1),
                                    "cumulative": cumulative})
                      for name, (_, cumulative) in zip(layer_names, spectra)], ignore_index=True)


used = [EXERCISES_BY_NAME["PCA"], EXERCISES_BY_NAME["components_to_reach"]]
kinds = {row["name"]: row["kind"] for row in bank.layer_table}
st.subheader("The spectrum of one layer")
with ui.guard("the PCA of each layer"):
    controls, _ = st.columns([2, 1])
    with controls:
        pca_choice, count_choice = checks.choices(ctx, used, key="section4")
        picker, slider = st.columns(2)
        layer_name = picker.selectbox("Layer", bank.layer_names, key="pca_layer", persist_state="session")
        threshold = slider.slider("Fraction of variance to reach", min_value=0.5, max_value=0.99, value=0.8,
                                  step=0.01, key="pca_threshold", persist_state="session")
    spectra, (pca_choice,) = checks.with_fallback(lambda chosen: derived.pca_spectra(bank, chosen), [pca_choice],
                                                  used[:1])
    needed, (count_choice,) = checks.with_fallback(
        lambda chosen: analysis.components_needed([cumulative for _, cumulative in spectra], threshold,
                                                  chosen.function), [count_choice], used[1:])
    selected = bank.layer_names.index(layer_name)
    version = f"{bank.key}|{pca_choice.source_id}"
    left, right = st.columns(2, gap="large")
    with left:
        st.altair_chart(derived.chart("variance", f"{version}|{layer_name}", lambda: charts.variance_chart(
            _variance_frame(spectra, bank.layer_names), layer_name)), width="stretch")
    with right:
        st.altair_chart(derived.chart(
            "cumulative", f"{version}|{count_choice.source_id}|{layer_name}|{threshold}",
            lambda: charts.cumulative_chart(_cumulative_frame(spectra, bank.layer_names), layer_name, threshold,
                                            int(needed[selected]))), width="stretch")
    st.caption(f"{layer_name} in red, the other layers in grey for comparison; both axes of the left plot and the "
               f"x axis of the right one are logarithmic. {layer_name} needs **{int(needed[selected])}** components "
               f"to explain {threshold:.0%} of its variance.")

st.subheader("Components needed, layer by layer")
with ui.guard("the components needed across layers"):
    counts = pd.DataFrame({"layer": bank.layer_names, "kind": [kinds[name] for name in bank.layer_names],
                           "components": needed})
    st.altair_chart(derived.chart(
        "components", f"{bank.key}|{pca_choice.source_id}|{count_choice.source_id}|{threshold}|{layer_name}",
        lambda: charts.components_chart(counts, threshold, bank.layer_names, highlight=layer_name)), width="content")
    st.caption("Move the slider above to change the fraction of variance; the layer selected above is outlined.")

st.divider()
with ui.guard("the reflections"):
    ui.reflection_boxes(ctx, "4")
