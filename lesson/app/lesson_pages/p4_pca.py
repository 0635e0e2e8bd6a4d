"""Section 4: PCA per layer (variance explained, cumulative fraction) and the components each layer needs."""

import numpy as np
import pandas as pd
import streamlit as st

from lesson.analysis import beyond as beyond_analysis
from lesson.analysis import steps
from lesson.app import answer_box, bank_context, beyond, cached, check_widget, frame, implementation, layer_charts
from lesson.curriculum import EXERCISES_BY_NAME
from lesson.references import NotSolvedYet, references_available

ctx = bank_context.context()
bank = ctx.bank
n_images = int(bank.provenance["images"]["n_images"])
pca_units = int(bank.provenance["pca_units"])

frame.page_header(
    "4 · PCA and dimensionality",
    f"Now use all {n_images} images (Section 2 used {len(bank.rsa_indices)} of them). For each layer, the "
    "responses form a data matrix with one row per image and one column per unit. PCA finds the directions in "
    "unit space along which the images vary most; the number of directions needed to capture most of the "
    "variance is a simple measure of the representation's "
    "**dimensionality**.",
)
st.markdown(
    f"Most layers have far more units than we have images, so from each layer we draw **{pca_units:,} units at "
    "random** (fewer if the layer is smaller). The draw uses a fixed seed derived from the layer's name, so it is "
    f"the same on every run and every computer. With {n_images} images there are at most {n_images - 1} "
    "components with non-zero variance once the data are centred."
)

check_widget.page_checks(ctx, "4")  # the Check buttons of this page's exercises

def _per_class_options(most: int) -> list[int]:
    """Images per class the PCA can use: 5, 10, 20, 40, ... up to every image of each class."""
    return sorted({count for count in (5, 10, 20, 40, 60, 80) if count < most} | {most})


def _variance_frame(spectra, layer_names) -> pd.DataFrame:
    """Long table: layer, component (1-based), fraction of the layer's variance; components with ~0 left out."""
    rows = []
    for name, (variance, _) in zip(layer_names, spectra):
        fraction = variance / variance.sum()
        keep = fraction > steps.NEGLIGIBLE_VARIANCE * fraction[0]  # the last component is ~0 after centring
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
st.header("The spectrum of one layer")
spectra = needed = None
layer_name, threshold, selected = bank.layer_names[0], 0.8, 0
per_class_options = _per_class_options(int(np.bincount(bank.labels).max()))
with frame.guard("the PCA of each layer"):
    controls, _ = st.columns([2, 1])
    with controls:
        picker, slider = st.columns(2)
        layer_name = picker.selectbox("Layer", bank.layer_names, key="pca_layer", persist_state="session")
        threshold = slider.slider("Fraction of variance to reach", min_value=0.5, max_value=0.99, value=0.8,
                                  step=0.01, key="pca_threshold", persist_state="session")
        pca_choice, count_choice = implementation.choices(ctx, used, key="section4")
        per_class = st.select_slider("Images per class in the PCA", options=per_class_options,
                                     value=per_class_options[-1], key="pca_per_class", persist_state="session")
    spectra, (pca_choice,) = implementation.with_fallback(lambda chosen: cached.pca_spectra(bank, chosen, per_class),
                                                          [pca_choice], used[:1])
    n_used = len(bank.first_per_class(per_class))
    needed, (count_choice,) = implementation.with_fallback(
        lambda chosen: steps.components_needed([cumulative for _, cumulative in spectra], threshold,
                                                  chosen.function), [count_choice], used[1:])
    selected = bank.layer_names.index(layer_name)
    version = f"{bank.key}|{pca_choice.source_id}|{per_class}"
    # One above the other: side by side, each would get half of a laptop's column.
    st.altair_chart(cached.chart("variance", f"{version}|{layer_name}", lambda: layer_charts.variance_chart(
        _variance_frame(spectra, bank.layer_names), layer_name)), width="stretch")
    st.altair_chart(cached.chart(
        "cumulative", f"{version}|{count_choice.source_id}|{layer_name}|{threshold}",
        lambda: layer_charts.cumulative_chart(_cumulative_frame(spectra, bank.layer_names), layer_name, threshold,
                                        int(needed[selected]))), width="stretch")
    st.caption(f"{layer_name} in red, the other layers in grey for comparison; both axes of the first plot and the "
               f"x axis of the second are logarithmic. On {n_used} images, {layer_name} needs "
               f"**{int(needed[selected])}** components to explain {threshold:.0%} of its variance.")

st.header("Components needed, layer by layer")
with frame.guard("the components needed across layers"):
    if needed is None:
        if not references_available():
            raise NotSolvedYet("The count across layers appears once the spectra above can be drawn.")
        raise RuntimeError("the spectra above could not be computed")
    counts = pd.DataFrame({"layer": bank.layer_names, "kind": [kinds[name] for name in bank.layer_names],
                           "components": needed})
    st.altair_chart(cached.chart(
        "components", f"{version}|{count_choice.source_id}|{threshold}|{layer_name}",
        lambda: layer_charts.components_chart(counts, threshold, bank.layer_names, highlight=layer_name)), width="stretch")
    st.caption("Move the slider above to change the fraction of variance; the layer selected above is outlined.")

st.subheader("How many images the PCA needs")
with frame.guard("the number of images"):
    if spectra is None or needed is None:
        if not references_available():
            raise NotSolvedYet("The study of the number of images appears once your PCA and components_to_reach "
                               "pass their checks.")
        raise RuntimeError("the spectra above could not be computed")
    st.markdown("Centred on their mean, n images span at most n − 1 directions, so no layer can show more than "
                "n − 1 components with variance, however many units it has. With too few images every layer "
                "looks alike because every count hits that ceiling; the contrast between layers needs enough "
                f"images. Below, {pca_choice.label} on {layer_name}, with the first 5 to {per_class_options[-1]} images "
                "of each class; the slider above sets the images the other plots use.")
    study = pd.DataFrame(cached.image_count_study(bank, bank.layer_paths[selected],
                                                  tuple(per_class_options), threshold, pca_choice,
                                                  count_choice))
    threshold_column = f"components for {threshold:.0%}"
    study_key = f"{bank.key}|{pca_choice.source_id}|{count_choice.source_id}|{layer_name}|{threshold}"
    st.altair_chart(cached.chart("image count", study_key, lambda: layer_charts.image_count_chart(study, threshold_column)),
                    width="stretch")
    st.caption(f"{layer_name}: the components with variance never pass n − 1 (the dashed ceiling) and mostly sit on it; the "
               f"components for {threshold:.0%} grow more slowly and tell layers apart only once n is large.")

with frame.guard("the second measure of dimensionality"), beyond.section("a second measure, and why subsample"):
    if spectra is None or needed is None:
        raise RuntimeError("the spectra above could not be computed")
    st.markdown("The **participation ratio** (Σλ)² / Σλ², over the variances λ of all components, counts "
                "dimensions without a threshold: d for variance spread evenly over d components, 1 when one "
                "component holds it all. Below it stands beside the component count of the slider above.")
    ratios = [beyond_analysis.participation_ratio(variance) for variance, _ in spectra]
    estimates = layer_charts.profile_frame({f"components for {threshold:.0%}": needed, "participation ratio": ratios},
                                     bank.layer_names)
    st.altair_chart(cached.chart(
        "two estimates", f"{version}|{count_choice.source_id}|{threshold}", lambda: layer_charts.layer_profile_chart(
            estimates, bank.layer_names, y_title="dimensions", title="Two estimates of dimensionality, by layer")),
        width="stretch")
    stored = int(bank.provenance.get("stored_units", pca_units))
    st.markdown(f"**Why subsample?** A layer's dimensionality estimate depends on how many units it is measured "
                f"with. The bank keeps a random draw of up to {stored:,} units per layer, nested (the first 100 are "
                "part of the first 300, and so on), so the same layer can be measured with 100, 300, 1,000 and "
                "3,000 units (fewer where the layer has fewer units).")
    study = pd.DataFrame(cached.units_study(bank, threshold))
    st.altair_chart(cached.chart("units study", f"{bank.key}|{threshold}|{layer_name}",
                                  lambda: layer_charts.units_chart(study, layer_name, threshold)), width="content")
    st.caption(f"Reference PCA on the first 100, 300, 1,000 and 3,000 units of each layer's draw ({layer_name}, "
               "picked above, in red). The lesson's plots use the first 1,000.")
    beyond.prompt("If every layer were measured with all of its units, which layers would look more "
                  "high-dimensional only because they have more units?")

with frame.guard("the untrained network"), beyond.section("learned vs untrained"):
    comparison = beyond.untrained_comparison(ctx, "section4")
    if comparison is not None:
        estimates_by = {label: beyond_analysis.dimensionality_by_layer(results.variance_explained,
                                                                  results.cumulative_variance_explained, threshold)
                        for label, results in zip(comparison.labels, (comparison.current, comparison.untrained))}
        needed_by = {label: values["components_needed"] for label, values in estimates_by.items()}
        ratios_by = {label: values["participation_ratio"] for label, values in estimates_by.items()}
        st.markdown(beyond.dimensionality_summary(needed_by, ratios_by, bank.layer_names, threshold))
        table = layer_charts.profile_frame(needed_by, bank.layer_names)
        st.altair_chart(cached.chart(
            "components comparison", f"{bank.key}|{comparison.untrained_bank.key}|{threshold}",
            lambda: layer_charts.layer_profile_chart(table, bank.layer_names, y_title=f"components for {threshold:.0%}",
                                               series_order=comparison.labels,
                                               title=f"Components needed for {threshold:.0%} of the variance")),
            width="stretch")
        st.caption("Both with the reference PCA on the same images and the same units; the slider above sets the "
                   "fraction of variance.")

st.divider()
with frame.guard("the reflections"):
    answer_box.reflection_boxes(ctx, "4")
