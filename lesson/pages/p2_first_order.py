"""Section 2: first-order similarity: one image-by-image correlation matrix per layer, all 21 and one up close."""

import numpy as np
import streamlit as st

from lesson import analysis, charts, checks, derived, ui
from lesson.student import EXERCISES_BY_NAME

ctx = ui.context()
bank = ctx.bank
n_extreme = int(bank.provenance.get("n_extreme", 5))
positions = np.asarray(bank.rsa_indices)
names_in_order = [bank.image_names[position].split("/")[-1] for position in positions]
classes_in_order = [bank.class_names[bank.labels[position]] for position in positions]

ui.page_header(
    "2 · First-order similarity",
    "Record a layer's response to each of the 40 images and flatten it into a vector with one entry per unit. "
    "Then correlate every pair of vectors: the result is a 40 × 40 matrix whose entry (i, j) says how alike the "
    "layer's responses to images i and j are. This **representational similarity matrix** no longer depends on "
    "how many units the layer has, so any two layers (or a network and a brain area measured with fMRI or "
    "electrodes) can be compared on the same footing.",
)
st.markdown(
    f"The images are in the order of Section 1: four classes of {2 * n_extreme} images, each class starting with "
    f"its {n_extreme} reddest and ending with its {n_extreme} least red. If a layer cares about colour, you will "
    f"see 8 blocks of {n_extreme}; if it cares about the object, 4 blocks of {2 * n_extreme}."
)

with ui.guard("the get_similarity_matrix exercise"):
    checks.check_widget(ctx, EXERCISES_BY_NAME["get_similarity_matrix"])

st.subheader("All 21 layers at a glance")
matrices = None
with ui.guard("the first-order matrices"):
    (choice,) = checks.choices(ctx, [EXERCISES_BY_NAME["get_similarity_matrix"]], key="section2")
    matrices, (choice,) = checks.with_fallback(lambda chosen: derived.first_order_stack(bank, chosen), [choice],
                                    [EXERCISES_BY_NAME["get_similarity_matrix"]])
    st.altair_chart(derived.chart("small multiples", f"{bank.key}|{choice.source_id}",
                                  lambda: charts.small_multiples_chart(matrices, bank.layer_names)), width="content")
    st.caption("Pearson r between the responses to two images: red = alike, white = unrelated, blue = opposite; "
               "the colour scale is the same in every panel, from −1 to 1. Grey cells are undefined (an image to "
               "which the layer responds with a constant vector).")

st.subheader("One layer up close")
with ui.guard("the single-layer view"):
    if matrices is None:
        raise RuntimeError("the first-order matrices above could not be computed")
    picker, _ = st.columns([1, 2])
    layer_name = picker.selectbox("Layer", bank.layer_names, key="first_order_layer", persist_state="session")
    layer_index = bank.layer_names.index(layer_name)
    class_edges, redness_edges = analysis.block_boundaries(np.asarray(classes_in_order), n_extreme)
    chart = derived.chart("first-order layer", f"{bank.key}|{choice.source_id}|{layer_name}",
                          lambda: charts.similarity_matrix_chart(
                              matrices[layer_index], names_in_order, classes_in_order, class_edges=class_edges,
                              redness_edges=redness_edges, title=f"{layer_name} ({bank.layer_paths[layer_index]})"))
    left, right = st.columns([3, 2], gap="large")
    with left:
        event = st.altair_chart(chart, width="content", on_select="rerun", selection_mode="cell",
                                key=f"first_order_cell_{layer_name}")
    with right:
        st.markdown("**Solid lines** separate the classes; **dashed lines** separate each class's reddest images "
                    "from its least red. Hover over a cell to see which two images it compares; **click** it to "
                    "see them here.")
        picked = (event.selection.get("cell") if event is not None else None) or []
        if isinstance(picked, dict):
            picked = [picked]
        if picked and "row" in picked[0] and "col" in picked[0]:
            row, column = int(picked[0]["row"]), int(picked[0]["col"])
            value = matrices[layer_index][row, column]
            first, second = st.columns(2)
            first.image(bank.images[positions[row]], caption=f"{classes_in_order[row]} · {names_in_order[row]}",
                        width="stretch", alt=f"the image of row {row + 1}")
            second.image(bank.images[positions[column]],
                         caption=f"{classes_in_order[column]} · {names_in_order[column]}", width="stretch",
                         alt=f"the image of column {column + 1}")
            st.metric(f"r in {layer_name}", "undefined" if not np.isfinite(value) else f"{value:.3f}")
        else:
            st.info("Click a cell of the matrix to compare its two images.", icon="👆")

st.divider()
with ui.guard("the reflections"):
    ui.reflection_boxes(ctx, "2")
