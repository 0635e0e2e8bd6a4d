"""The pure parts of the app: computations on the bank (lesson.analysis) and chart builders (lesson.app.charts)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lesson.analysis import steps
from lesson.app import charts, layer_charts
from lesson.data.layers import LAYERS
from solutions.pca import PCA, components_to_reach
from solutions.rsa import get_similarity_matrix, second_order_similarity
from solutions.stimuli import pick_redness_extrema, redness


def test_first_and_second_order_match_the_references_on_the_bank(bank):
    layer = bank.layer_paths[0]
    matrix = steps.first_order(bank.rsa_activations(layer), get_similarity_matrix)
    n_rsa = len(bank.rsa_indices)
    assert matrix.shape == (n_rsa, n_rsa) and np.allclose(np.diag(matrix), 1.0)
    second = steps.second_order([matrix, matrix, matrix.T], second_order_similarity)
    assert np.allclose(second, 1.0)


def test_a_wrong_shape_from_the_students_function_is_explained():
    with pytest.raises(steps.ResultShapeError, match=r"returned shape \(3,\); expected \(4, 4\)"):
        steps.first_order(np.zeros((4, 5)), lambda activations: np.zeros(3))
    with pytest.raises(steps.ResultShapeError, match="three things"):
        steps.pca_spectrum(np.random.default_rng(0).normal(size=(5, 3)), lambda data: (1, 2))
    with pytest.raises(steps.ResultShapeError, match="whole number"):
        steps.components_needed([np.array([0.5, 1.0])], 0.8, lambda cumulative, threshold: "two")


def test_the_rsa_order_and_redness_reproduce_the_bank(bank):
    values = steps.redness_of_images(bank.images, redness)
    assert np.allclose(values, bank.redness, atol=1e-6)
    positions = steps.rsa_order(values, bank.labels, pick_redness_extrema,
                                   per_class=bank.provenance["per_class"], n_extreme=bank.provenance["n_extreme"])
    assert np.array_equal(positions, bank.rsa_indices)


def test_pca_spectrum_and_components_needed(bank):
    variance, cumulative = steps.pca_spectrum(bank.pca_activations(bank.layer_paths[-1]), PCA)
    assert cumulative[-1] == pytest.approx(1.0) and np.all(np.diff(variance) <= 1e-9)
    counts = steps.components_needed([cumulative, cumulative], 0.8, components_to_reach)
    assert counts.tolist() == [components_to_reach(cumulative, 0.8)] * 2


def test_block_boundaries_mark_classes_and_redness_halves():
    labels = np.repeat(["a", "b"], 10)
    class_edges, redness_edges = steps.block_boundaries(labels, n_extreme=5)
    assert class_edges == [9.5]
    assert redness_edges == [4.5, 14.5]


def test_type_pairs_are_relus_and_dropouts_with_their_inputs():
    pairs = steps.type_pairs(LAYERS)
    names = [(LAYERS[first].name, LAYERS[second].name, relation) for first, second, relation in pairs]
    assert ("conv1", "relu1", "conv → relu") in names
    assert ("fc6", "relu6", "linear → relu") in names
    assert ("avgpool", "dropout6", "input → dropout") in names
    assert ("relu6", "dropout7", "input → dropout") in names
    assert len(pairs) == 9


def test_montage_tiles_images_with_gaps():
    images = np.zeros((10, 224, 224, 3), dtype=np.uint8)
    picture = steps.montage(images, 5, thumb=32, gap=2)
    assert picture.shape == (2 * 32 + 2, 5 * 32 + 4 * 2, 3) and picture.dtype == np.uint8
    grouped = steps.montage(images, 10, thumb=32, gap=2, group=5, group_gap=10)
    assert grouped.shape == (32, 10 * 32 + 9 * 2 + 10, 3)


def _colour_scales(spec):
    found = []
    if isinstance(spec, dict):
        if spec.get("field") == "value" and "scale" in spec:
            found.append(spec["scale"])
        for value in spec.values():
            found += _colour_scales(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _colour_scales(value)
    return found


@pytest.mark.parametrize("build", [
    lambda m: charts.similarity_matrix_chart(m, [f"image {i}" for i in range(4)], ["a", "a", "b", "b"],
                                             class_edges=[1.5], redness_edges=[0.5, 2.5]),
    lambda m: charts.small_multiples_chart(np.stack([m, m]), ["conv1", "relu1"]),
    lambda m: charts.layer_matrix_chart(m, ["conv1", "relu1", "pool1", "conv2"], show_values=True),
    lambda m: charts.pitfall_chart(m, m, ["conv1", "relu1", "pool1", "conv2"]),
])
def test_every_heatmap_uses_the_fixed_diverging_scale_and_the_canvas(build):
    matrix = np.array([[1, 0.5, -0.2, np.nan], [0.5, 1, 0.1, np.nan], [-0.2, 0.1, 1, np.nan], [np.nan] * 4])
    spec = build(matrix).to_dict()
    scales = _colour_scales(spec)
    assert scales and all(scale["domain"] == [-1, 1] and scale["scheme"] == "redblue" for scale in scales)
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"
    assert spec["autosize"]["type"] == "pad"


def test_the_single_matrix_view_is_clickable_and_names_both_images():
    matrix = np.eye(4)
    spec = charts.similarity_matrix_chart(matrix, ["w.png", "x.png", "y.png", "z.png"], ["a", "a", "b", "b"],
                                          class_edges=[1.5]).to_dict()
    cells = spec["layer"][0]
    params = spec.get("params", []) + cells.get("params", [])  # Altair may lift a layer's params to the top
    assert [param["name"] for param in params] == ["cell"] and params[0]["select"]["fields"] == ["row", "col"]
    tooltip_fields = [item["field"] for item in cells["encoding"]["tooltip"]]
    assert "image (row)" in tooltip_fields and "image (column)" in tooltip_fields
    data = pd.DataFrame(spec["datasets"][cells["data"]["name"]])
    assert set(data["image (row)"]) == {"w.png", "x.png", "y.png", "z.png"}


def test_pca_and_components_charts_build():
    frame = pd.DataFrame({"layer": ["conv1"] * 3 + ["fc8"] * 3, "component": [1, 2, 3] * 2,
                          "fraction": [0.6, 0.3, 0.1, 0.8, 0.15, 0.05], "cumulative": [0.6, 0.9, 1, 0.8, 0.95, 1]})
    assert layer_charts.variance_chart(frame, "conv1").to_dict()["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    cumulative = layer_charts.cumulative_chart(frame, "fc8", 0.8, 1).to_dict()
    assert any(layer.get("mark", {}).get("type") == "rule" for layer in cumulative["layer"] if "mark" in layer)
    counts = pd.DataFrame({"layer": ["conv1", "fc8"], "kind": ["conv", "linear"], "components": [40, 3]})
    spec = layer_charts.components_chart(counts, 0.8, ["conv1", "fc8"], highlight="fc8").to_dict()
    assert spec["title"] == "Components for 80% of the variance, by layer"
    assert spec["width"] == "container"  # it follows its column: nothing cut at 1024 or 768 px


def test_every_layer_kind_has_its_own_colour():
    assert len(set(charts.KIND_COLOURS.values())) == len(charts.KIND_COLOURS)


def test_the_small_multiples_fit_a_narrow_column():
    matrices = np.stack([np.eye(6)] * 21)
    spec = charts.small_multiples_chart(matrices, [f"layer{index}" for index in range(21)]).to_dict()
    width = spec["columns"] * spec["spec"]["width"] + (spec["columns"] - 1) * spec["spacing"]["column"]
    assert width <= 436  # the main column of a 768 px window with the sidebar open
    assert spec["spec"]["encoding"]["color"]["condition"]["legend"]["orient"] == "bottom"
