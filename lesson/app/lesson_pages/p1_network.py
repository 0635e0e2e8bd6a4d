"""Section 1: AlexNet's layers, the images one row per class (or the student's own), redness and the RSA order."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from lesson.app import answer_box, bank_context, beyond, cached, charts, check_widget, frame, implementation
from lesson.curriculum import EXERCISES_BY_NAME

ctx = bank_context.context()
bank = ctx.bank
class_names = bank.class_names

frame.page_header(
    "1 · The network and the images",
    "AlexNet turns a 224 × 224 colour image into 1000 class scores in eight learned stages: five convolutional "
    "layers, then three fully connected ones. Between them sit ReLUs, max-pooling and dropout. In torchvision "
    "that makes 21 modules, and we record the output of every one of them.",
)

with frame.guard("the layer table"):
    st.header("AlexNet's 21 layers")
    table = pd.DataFrame([{
        "#": index + 1, "layer": row["name"], "torchvision module": row["path"], "type": row["module"],
        "output shape": " × ".join(str(size) for size in row["shape"]), "units": int(row["n_units"]),
    } for index, row in enumerate(bank.layer_table)])
    st.dataframe(table, hide_index=True, height=35 * 22 + 3,  # as wide as its columns: no name is cut
                 column_config={"#": st.column_config.NumberColumn(width=36),
                                "layer": st.column_config.TextColumn(width=84),
                                "torchvision module": st.column_config.TextColumn(width=116),
                                "type": st.column_config.TextColumn(width=128),
                                "output shape": st.column_config.TextColumn(width=104),
                                "units": st.column_config.NumberColumn(width=76, format="localized")})  # 544 px
    # The explanation and the chart go below the table: side by side they would squeeze it.
    st.markdown("A convolutional layer's output has one **channel** per filter, each a map over image "
                "positions (channels × height × width); a fully connected layer's output is a flat vector. "
                "Either way, flattening it gives one number per **unit**: that is the layer's response "
                "vector for an image.")
    kinds = {row["path"]: row["kind"] for row in bank.layer_table}
    units = pd.DataFrame({"layer": table["layer"], "units": table["units"],
                          "kind": [kinds[path] for path in table["torchvision module"]]})
    units_chart = alt.Chart(units).mark_bar().encode(
        y=alt.Y("layer:N", sort=list(table["layer"]), title=None, axis=alt.Axis(labelOverlap=False)),
        x=alt.X("units:Q", scale=alt.Scale(type="log", domainMin=300), title="units (log scale)", stack=None,
                axis=alt.Axis(format="~s")),
        color=alt.Color("kind:N", title="type", scale=alt.Scale(domain=list(charts.KIND_COLOURS),
                                                                range=list(charts.KIND_COLOURS.values())),
                        legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=["layer", "kind", alt.Tooltip("units:Q", format=",")],
    ).properties(height=alt.Step(20), title="Units per layer")
    st.altair_chart(units_chart, width="stretch")
    st.caption("From about 194,000 units in conv1 down to 1,000 in fc8 (one per ImageNet class).")

with frame.guard("the images"):
    st.header("The images, one row per class")
    description = bank_context.images_description(ctx)
    rsa_candidates = int(bank.provenance.get("per_class", 40))
    st.markdown(f"Source: {description}. Each picture was resized and centre-cropped to "
                "224 × 224 pixels, exactly as the network sees it (shown here in its real colours, before the "
                "network's normalisation). Section 4's PCA uses all of them; Section 2's similarity analysis picks "
                f"its images among the first {rsa_candidates} of each class.")
    for name, picture in zip(class_names, cached.class_montages(bank)):
        label, strip = st.columns([1, 9], vertical_alignment="center")
        label.markdown(f"**{name}**  \n<small>{int(np.sum(bank.labels == class_names.index(name)))} images</small>",
                       unsafe_allow_html=True)
        strip.image(picture, width="stretch", alt=f"All {name} images, as the network sees them")

with frame.guard("the network's guesses"):
    st.subheader("What the network sees: its five best guesses")
    st.markdown("fc8 has one output per ImageNet class. A softmax turns those 1000 scores into probabilities; "
                "below are each image's five most probable classes (names from the weights' own metadata). "
                "This is the quickest check that the weights are real: a trained AlexNet names most of these "
                "objects, or something close to them.")
    if not bank.is_pretrained:
        st.warning("These weights are not the pretrained ones, so the guesses are **meaningless**: an untrained "
                   "network's 1000 outputs carry no knowledge of ImageNet, every probability stays close to "
                   "1/1000 (0.1 %), and which names come first is an accident of the random weights. With the "
                   "pretrained AlexNet most lesson images get their own class among the top five.", icon="🎲")
    rows = pd.DataFrame(cached.top5_rows(bank))
    if bool(set(class_names) & set(bank.categories)):  # the lesson's classes are ImageNet classes
        per_class = rows.groupby("class", sort=False)["own class in top 5"].agg(["sum", "size"])
        st.markdown("Own class among the top five: " + "; ".join(
            f"**{name}** {int(row['sum'])} of {int(row['size'])}" for name, row in per_class.iterrows()) + ".")
    else:
        rows = rows.drop(columns="own class in top 5")
    shown_class = st.selectbox("Class", class_names, key="top5_class", persist_state="session")
    in_class = rows[rows["class"] == shown_class].reset_index(drop=True)
    picked, table = st.columns([2, 5], gap="large")
    with table:
        st.dataframe(in_class.drop(columns="class"), hide_index=True, width="stretch", height=300)
    with picked:
        positions = np.flatnonzero(bank.labels == class_names.index(shown_class))
        number = st.number_input(f"Image (1 to {len(positions)})", min_value=1, max_value=len(positions), value=1,
                                 key="top5_image")
        position = int(positions[int(number) - 1])
        classes, probabilities = bank.top5
        st.image(np.asarray(bank.images[position]), width=160, caption=bank.image_names[position],
                 alt=f"the image whose top-5 guesses are shown: {bank.image_names[position]}")
        st.altair_chart(charts.top5_chart([bank.categories[index] for index in classes[position]],
                                          probabilities[position]), width="stretch")

with frame.guard("the choice of your own images"):
    beyond.own_images_section(ctx)

st.divider()
st.header("Colour as a simple, low-level feature: redness")
n_extreme = int(bank.provenance.get("n_extreme", 5))
st.markdown(
    "Before asking what the network cares about, define something it *might* care about. The **redness** of an "
    "image is the mean of its red channel minus the average of the mean green and mean blue channels, measured "
    "on the colours a person sees (values in [0, 1]). For the similarity analysis in Section 2 we keep, within "
    f"each class, the {n_extreme} reddest and the {n_extreme} least red images: {len(bank.rsa_indices)} images "
    "whose order makes it easy to see whether a layer groups images by **colour** or by **class**."
)
check_widget.page_checks(ctx, "1")  # the Check buttons of this page's exercises

with frame.guard("the redness of every image"):
    st.markdown("### Redness of every image, and the ones picked for the similarity analysis")
    redness_choice, pick_choice = implementation.choices(
        ctx, [EXERCISES_BY_NAME["redness"], EXERCISES_BY_NAME["pick_redness_extrema"]], key="section1")
    values = cached.redness_values(bank, redness_choice)
    positions = cached.rsa_positions(bank, redness_choice, pick_choice)
    role = np.full(len(values), "not picked", dtype=object)
    for block_start in range(0, len(positions), 2 * n_extreme):
        role[positions[block_start:block_start + n_extreme]] = "reddest"
        role[positions[block_start + n_extreme:block_start + 2 * n_extreme]] = "least red"
    per_image_class = [class_names[label] for label in bank.labels]
    st.altair_chart(charts.redness_chart(values, per_image_class, bank.image_names, role, class_names),
                    width="stretch")
    st.caption("Each dot is one image (hover for its name). Only the first "
               f"{bank.provenance.get('per_class', 40)} images of each class are candidates.")

    st.markdown(f"### The {len(positions)} images in the order of the similarity analysis")
    st.markdown(f"Row by row, one class each: its {n_extreme} reddest images (reddest first), a gap, then its "
                f"{n_extreme} least red (least red first). Section 2's matrices list the images in this order.")
    _, reddest_head, least_head = st.columns([1, 4.5, 4.5])
    reddest_head.caption(f"The {n_extreme} reddest (reddest first)")
    least_head.caption(f"The {n_extreme} least red (least red first)")
    for block, picture in enumerate(cached.rsa_montage(bank, positions)):
        first = positions[block * 2 * n_extreme]
        label, strip = st.columns([1, 9], vertical_alignment="center")
        label.markdown(f"**{class_names[bank.labels[first]]}**")
        strip.image(picture, width="stretch",
                    alt=f"{class_names[bank.labels[first]]}: the reddest images, then the least red")

st.divider()
with frame.guard("the reflections"):
    answer_box.reflection_boxes(ctx, "1")
