"""Section 3: second-order similarity: compare layers by their similarity matrices; the in-place ReLU pitfall."""

import pandas as pd
import streamlit as st

from lesson.analysis import beyond as beyond_analysis
from lesson.analysis import steps
from lesson.app import answer_box, bank_context, beyond, cached, charts, check_widget, frame, implementation, layer_charts
from lesson.curriculum import EXERCISES_BY_NAME
from lesson.data.layers import LAYERS

ctx = bank_context.context()
bank = ctx.bank
n_rsa = len(bank.rsa_indices)
n_pairs = n_rsa * (n_rsa - 1) // 2

frame.page_header(
    "3 · Second-order similarity",
    f"Every layer now has a matrix of the same size ({n_rsa} × {n_rsa}), whatever its number of units. So layers "
    "can be compared with each other: two layers represent the images alike when they find the same pairs "
    "similar and the same pairs different. Take the entries below the diagonal of each matrix (the diagonal is "
    f"always 1, and the upper triangle repeats the lower one): {n_pairs} numbers per layer. Then correlate those "
    "lists between every pair of layers with **Spearman's rank correlation**. The result is a 21 × 21 "
    "layer-by-layer matrix.",
)

check_widget.page_checks(ctx, "3")  # the Check buttons of this page's exercises

used = [EXERCISES_BY_NAME["get_similarity_matrix"], EXERCISES_BY_NAME["second_order_similarity"]]
st.header("Which layers see the images alike?")
with frame.guard("the second-order matrix"):
    controls, _ = st.columns([2, 1])
    with controls:
        first_choice, second_choice = implementation.choices(ctx, used, key="section3")
        show_values = st.toggle("Show the values in the cells", key="second_order_values", persist_state="session")
    second, (first_choice, second_choice) = implementation.with_fallback(
        lambda first, compare: cached.second_order_matrix(bank, first, compare), [first_choice, second_choice], used)
    st.markdown("Each cell compares two layers: **ρ near 1** means they rank the image pairs from most to least "
                "similar in nearly the same order; **ρ near 0** means their orders are unrelated. Red blocks along "
                "the diagonal are runs of consecutive layers that share a representation. Hover over a cell for "
                "its value.")
    st.altair_chart(cached.chart(
        "second order", f"{bank.key}|{first_choice.source_id}|{second_choice.source_id}|{show_values}",
        lambda: charts.layer_matrix_chart(second, bank.layer_names, show_values=show_values,
                                          title="Spearman ρ between the layers' similarity matrices")),
        width="content")

st.divider()
st.header("A pitfall: recording activations that later change under you")
st.markdown(
    "In torchvision's AlexNet every ReLU works **in place**: it overwrites its input tensor to save memory. A "
    "forward hook that stores a convolution's output *without copying it* therefore keeps a reference to a "
    "tensor that the next ReLU then rectifies. The stored 'conv' activations silently become the ReLU's. The "
    "lesson's activations were recorded with copies; the bank also keeps the result of the buggy recording, so "
    "you can compare the two."
)
with frame.guard("the pitfall comparison"):
    first_choice, second_choice = implementation.choices(ctx, used, key="pitfall")
    correct, correct_used = implementation.with_fallback(
        lambda first, compare: cached.second_order_matrix(bank, first, compare), [first_choice, second_choice], used)
    buggy, buggy_used = implementation.with_fallback(
        lambda first, compare: cached.pitfall_second_order(bank, first, compare), [first_choice, second_choice], used)
    versions = "|".join(choice.source_id for choice in correct_used + buggy_used)
    st.altair_chart(cached.chart("pitfall", f"{bank.key}|{versions}",
                                  lambda: charts.pitfall_chart(correct, buggy, bank.layer_names)), width="content")
    layers = [next(layer for layer in LAYERS if layer.path == path) for path in bank.layer_paths]
    table = pd.DataFrame(steps.pair_table(layers, correct, buggy))
    st.markdown(
        "- **A ReLU and its input** (conv → relu, linear → relu): with a correct recording they are close but "
        "**not identical** (ρ a little below 1), because the ReLU sets every negative value to zero. With the "
        "buggy recording they are **exactly 1**: both 'layers' hold the same rectified numbers.\n"
        "- **Dropout and its input**: in evaluation mode dropout does nothing, so its output *is* its input and ρ "
        "is exactly 1 in both recordings. That is correct, not a bug.\n"
        "- The lesson for your own experiments: in a hook, store `output.detach().clone()`, and put the model in "
        "`eval()` mode before recording."
    )
    st.dataframe(table, hide_index=True, width="content",
                 column_config={"correct extraction": st.column_config.NumberColumn(format="%.4f"),
                                "buggy extraction": st.column_config.NumberColumn(format="%.4f")})
    st.caption("Second-order ρ between each ReLU or dropout layer and the layer just before it.")

with frame.guard("the untrained network"), beyond.section("learned vs untrained"):
    comparison = beyond.untrained_comparison(ctx, "section3")
    if comparison is not None:
        pair_key = f"{bank.key}|{comparison.untrained_bank.key}"
        current, untrained = comparison.current, comparison.untrained
        st.altair_chart(cached.chart("second-order comparison", pair_key, lambda: charts.layer_matrix_pair_chart(
            current.second_order, untrained.second_order, bank.layer_names,
            left_title=f"{comparison.current_label} AlexNet", right_title=f"{comparison.untrained_label} AlexNet",
            step=15)),
            width="content")
        agreement = beyond_analysis.layer_agreement(current.first_order, untrained.first_order)
        means = {label: beyond_analysis.mean_lower_triangle(results.second_order)
                 for label, results in zip(comparison.labels, (current, untrained))}
        st.markdown(beyond.second_order_summary(means, agreement, bank.layer_names))
        table = pd.DataFrame({"layer": bank.layer_names, "series": f"{comparison.current_label} vs untrained",
                              "value": agreement})
        st.altair_chart(cached.chart("network agreement", pair_key, lambda: layer_charts.layer_profile_chart(
            table, bank.layer_names, y_title="Spearman ρ", zero_rule=True,
            title="The same layer in both networks: how alike are its similarity matrices?")), width="content")
        st.caption("Both with the reference solutions. The line compares each layer's first-order matrix in the "
                   "two networks, exactly as the second-order matrix compares two layers of one network.")
        beyond.prompt("Which structure is learned, and which comes from the architecture and the pixels alone? "
                      "Look at the layers where the untrained network already agrees with the trained one.")

st.divider()
with frame.guard("the reflections"):
    answer_box.reflection_boxes(ctx, "3")
