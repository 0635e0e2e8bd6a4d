"""Section 2: first-order similarity: one image-by-image correlation matrix per layer, all 21 and one up close."""

import numpy as np
import streamlit as st

from lesson.analysis import beyond as beyond_analysis
from lesson.analysis import steps
from lesson.app import answer_box, bank_context, beyond, cached, charts, check_widget, frame, implementation, layer_charts
from lesson.curriculum import EXERCISES_BY_NAME
from lesson.references import NotSolvedYet, references_available

ctx = bank_context.context()
bank = ctx.bank
n_extreme = int(bank.provenance.get("n_extreme", 5))
positions = np.asarray(bank.rsa_indices)
MEASURES = {"correlation": "correlation (the lesson's measure)", "euclidean": "negated Euclidean distance"}
names_in_order = [bank.image_names[position].split("/")[-1] for position in positions]
classes_in_order = [bank.class_names[bank.labels[position]] for position in positions]
n_classes = len(set(classes_in_order))

frame.page_header(
    "2 · First-order similarity",
    f"Record a layer's response to each of the {len(positions)} images and flatten it into a vector with one entry "
    f"per unit. Then correlate every pair of vectors: the result is a {len(positions)} × {len(positions)} matrix "
    "whose entry (i, j) says how alike the "
    "layer's responses to images i and j are. This **representational similarity matrix** no longer depends on "
    "how many units the layer has, so any two layers (or a network and a brain area measured with fMRI or "
    "electrodes) can be compared on the same footing.",
)
st.markdown(
    f"The images are in the order of Section 1: {n_classes} classes of {2 * n_extreme} images, each class starting "
    f"with its {n_extreme} reddest and ending with its {n_extreme} least red. If a layer cares about colour, you will "
    f"see {2 * n_classes} blocks of {n_extreme}; if it cares about the object, {n_classes} blocks of {2 * n_extreme}."
)

check_widget.page_checks(ctx, "2")  # the Check buttons of this page's exercises

with frame.guard("the choice of similarity measure"), beyond.section("Euclidean distance instead of correlation"):
    st.radio("Similarity measure of the matrices below", list(MEASURES), horizontal=True,
                       key="first_order_measure", persist_state="session", format_func=MEASURES.get)
    st.caption("Correlation centres each image's response vector on its own mean (its **baseline**) and divides by "
               "its own spread (its **gain**), so it only sees the *pattern* across units. Euclidean distance "
               "sees everything: an image that drives every unit a little harder than the others is far from "
               "all of them. Shown as 1 − 2 · distance / (largest distance in the layer), on the same colours: "
               "1 = identical responses, −1 = the two most different images of that layer.")
    beyond.prompt("Which layers look different under the two measures? Find an image whose row turns blue "
                  "everywhere with Euclidean distance: what is special about its response?")
euclidean = st.session_state.get("first_order_measure") == "euclidean"
value_title = "similarity" if euclidean else "r"

st.header("All 21 layers at a glance")
matrices = None
with frame.guard("the first-order matrices"):
    if euclidean:
        choice = cached.EUCLIDEAN
        st.caption("🧪 Computed with the **negated Euclidean distance** (the optional measure above), not with "
                   "`get_similarity_matrix`.")
        matrices = cached.first_order_stack(bank, choice)
    else:
        (choice,) = implementation.choices(ctx, [EXERCISES_BY_NAME["get_similarity_matrix"]], key="section2")
        matrices, (choice,) = implementation.with_fallback(lambda chosen: cached.first_order_stack(bank, chosen), [choice],
                                                   [EXERCISES_BY_NAME["get_similarity_matrix"]])
    st.altair_chart(cached.chart("small multiples", f"{bank.key}|{choice.source_id}",
                                  lambda: charts.small_multiples_chart(matrices, bank.layer_names,
                                                                       value_title=value_title)), width="content")
    if euclidean:
        st.caption("Negated Euclidean distance between the responses to two images, rescaled per layer: red = "
                   "close, white = half the largest distance, blue = far apart.")
    else:
        st.caption("Pearson r between the responses to two images: red = alike, white = unrelated, blue = "
                   "opposite; the colour scale is the same in every panel, from −1 to 1. Grey cells are undefined "
                   "(an image to which the layer responds with a constant vector).")

st.header("One layer up close")
class_edges, redness_edges = steps.block_boundaries(np.asarray(classes_in_order), n_extreme)
layer_name = bank.layer_names[0]
with frame.guard("the single-layer view"):
    if matrices is None:
        if not references_available():
            raise NotSolvedYet("The close-up of one layer appears once the matrices above can be drawn.")
        raise RuntimeError("the first-order matrices above could not be computed")
    picker, _ = st.columns([1, 2])
    layer_name = picker.selectbox("Layer", bank.layer_names, key="first_order_layer", persist_state="session")
    layer_index = bank.layer_names.index(layer_name)
    measure_note = " · negated Euclidean distance" if euclidean else ""
    chart = cached.chart("first-order layer", f"{bank.key}|{choice.source_id}|{layer_name}",
                          lambda: charts.similarity_matrix_chart(
                              matrices[layer_index], names_in_order, classes_in_order, class_edges=class_edges,
                              redness_edges=redness_edges, value_title=value_title,
                              title=f"{layer_name} ({bank.layer_paths[layer_index]}){measure_note}"))
    # The matrix, then its explanation and the clicked cell's images below it (beside it, they would not fit a
    # laptop's column).
    event = st.altair_chart(chart, width="content", on_select="rerun", selection_mode="cell",
                            key=f"first_order_cell_{bank.key}_{layer_name}")
    st.markdown("**Solid lines** separate the classes; **dashed lines** separate each class's reddest images "
                "from its least red. Hover over a cell to see which two images it compares; **click** it to "
                "see them here.")
    picked = (event.selection.get("cell") if event is not None else None) or []
    if isinstance(picked, dict):
        picked = [picked]
    if picked and "row" in picked[0] and "col" in picked[0]:
        row, column = int(picked[0]["row"]), int(picked[0]["col"])
        value = matrices[layer_index][row, column]
        first, second, number = st.columns(3)
        first.image(bank.images[positions[row]], caption=f"{classes_in_order[row]} · {names_in_order[row]}",
                    width="stretch", alt=f"the image of row {row + 1}")
        second.image(bank.images[positions[column]],
                     caption=f"{classes_in_order[column]} · {names_in_order[column]}", width="stretch",
                     alt=f"the image of column {column + 1}")
        number.metric(f"{value_title} in {layer_name}", "undefined" if not np.isfinite(value) else f"{value:.3f}")
    else:
        st.info("Click a cell of the matrix to compare its two images.", icon="👆")

with frame.guard("the untrained network"), beyond.section("learned vs untrained"):
    comparison = beyond.untrained_comparison(ctx, "section2")
    if comparison is not None:
        index = bank.layer_names.index(layer_name)
        columns = st.columns(2, gap="small")
        for column, results, label in zip(columns, (comparison.current, comparison.untrained), comparison.labels):
            column.altair_chart(cached.chart(
                "first-order comparison", f"{bank.key}|{comparison.untrained_bank.key}|{label}|{layer_name}",
                lambda results=results, label=label: charts.similarity_matrix_chart(
                    results.first_order[index], names_in_order, classes_in_order, class_edges=class_edges,
                    redness_edges=redness_edges, size=150, selection_name=None, title=f"{label}: {layer_name}")),
                width="content")
        labels_in_order = np.asarray(bank.labels)[positions]
        separation = {label: beyond_analysis.class_separation(results.first_order, labels_in_order)
                      for label, results in zip(comparison.labels, (comparison.current, comparison.untrained))}
        st.markdown(beyond.separation_summary(separation, bank.layer_names))
        table = layer_charts.profile_frame(separation, bank.layer_names)
        st.altair_chart(cached.chart(
            "class separation", f"{bank.key}|{comparison.untrained_bank.key}",
            lambda: layer_charts.layer_profile_chart(table, bank.layer_names, y_title="within − between class (r)",
                                               series_order=comparison.labels, zero_rule=True,
                                               title="Class separation: mean r within minus between classes")),
            width="stretch")
        st.caption(f"Both with the correlation and the reference solution; the layer picked above ({layer_name}) "
                   "is shown side by side. 0 means a layer's similarity ignores the classes.")

st.divider()
with frame.guard("the reflections"):
    answer_box.reflection_boxes(ctx, "2")
