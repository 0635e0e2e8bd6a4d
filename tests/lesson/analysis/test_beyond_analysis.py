"""Extension measures against their definitions and independent references (scipy, scikit-learn, the reference PCA)."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from lesson.analysis.beyond import (
    class_separation,
    dimensionality_by_layer,
    dimensionality_by_units,
    euclidean_similarity,
    layer_agreement,
    mean_lower_triangle,
    participation_ratio,
    similarity_matrix,
    spectra_by_units,
    variance_spectrum,
)


def test_euclidean_similarity_is_rescaled_cdist():
    activations = np.random.default_rng(0).normal(size=(6, 2, 5))
    distance = cdist(activations.reshape(6, -1), activations.reshape(6, -1))
    np.testing.assert_allclose(euclidean_similarity(activations), 1 - 2 * distance / distance.max(), atol=1e-10)
    result = euclidean_similarity(activations)
    np.testing.assert_allclose(np.diag(result), 1.0)
    assert result.min() == pytest.approx(-1.0)


def test_euclidean_depends_on_gain_but_correlation_does_not():
    activations = np.random.default_rng(1).normal(size=(4, 30))
    scaled = activations * np.array([[1.0], [3.0], [1.0], [1.0]])
    np.testing.assert_allclose(similarity_matrix(scaled), similarity_matrix(activations), atol=1e-12)
    assert np.abs(similarity_matrix(scaled, "euclidean") - similarity_matrix(activations, "euclidean")).max() > 0.1


def test_unknown_measure_lists_the_options():
    with pytest.raises(ValueError, match="correlation, euclidean"):
        similarity_matrix(np.eye(3), "cosine")


@pytest.mark.parametrize("spectrum, want", [
    ([1.0, 1.0, 1.0, 1.0], 4.0),  # even over 4
    ([5.0, 0.0, 0.0], 1.0),  # all in one
    ([2.0, 1.0], 9.0 / 5.0),  # (2 + 1)^2 / (4 + 1)
])
def test_participation_ratio_on_constructed_spectra(spectrum, want):
    assert participation_ratio(np.array(spectrum)) == pytest.approx(want)


def test_participation_ratio_rejects_an_empty_spectrum():
    with pytest.raises(ValueError, match="no variance"):
        participation_ratio(np.zeros(3))


def test_dimensionality_by_units_uses_nested_prefixes_and_skips_unavailable_counts():
    rng = np.random.default_rng(2)
    data = rng.normal(size=(50, 3)) @ rng.normal(size=(3, 400)) + 0.01 * rng.normal(size=(50, 400))
    rows = dimensionality_by_units(data, unit_counts=(100, 300, 1000))
    assert [row["n_units"] for row in rows] == [100, 300]
    assert all(row["components_needed"] <= 3 for row in rows)
    assert all(1.0 <= row["participation_ratio"] <= 3.0 for row in rows)


# --- variance spectrum without the components, and its use over nested unit counts --------------------------

@pytest.mark.parametrize("shape", [(30, 200), (40, 12), (8, 8)], ids=["more units", "more images", "square"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_variance_spectrum_matches_the_reference_pca(shape, dtype):
    from solutions.pca import PCA

    data = (np.random.default_rng(3).normal(size=shape) * np.linspace(0.1, 3, shape[1])).astype(dtype)
    variance, cumulative = variance_spectrum(data)
    _, want_variance, want_cumulative = PCA(data)
    assert variance.shape == want_variance.shape == (min(shape),)
    np.testing.assert_allclose(variance, want_variance, rtol=1e-4 if dtype == np.float32 else 1e-9,
                               atol=1e-12 * want_variance[0])
    np.testing.assert_allclose(cumulative, want_cumulative, atol=1e-6)
    assert cumulative[-1] == 1.0 and np.all(np.diff(variance) <= 1e-12)


def test_variance_spectrum_agrees_with_scikit_learn():
    sklearn_decomposition = pytest.importorskip("sklearn.decomposition")
    data = np.random.default_rng(4).normal(size=(25, 60))
    variance, _ = variance_spectrum(data)
    want = sklearn_decomposition.PCA().fit(data).explained_variance_
    np.testing.assert_allclose(variance[:len(want)], want, rtol=1e-9, atol=1e-12)


def test_variance_spectrum_rejects_data_without_variance():
    with pytest.raises(ValueError, match="no variance"):
        variance_spectrum(np.ones((5, 7)))
    with pytest.raises(ValueError, match="at least 2 images"):
        variance_spectrum(np.ones((1, 7)))


def test_spectra_by_units_equal_pca_on_each_prefix():
    from solutions.pca import PCA

    data = np.random.default_rng(5).normal(size=(20, 350)).astype(np.float32)
    results = spectra_by_units(data, unit_counts=(10, 100, 300, 1000))
    assert [n_units for n_units, _, _ in results] == [10, 100, 300]  # 1000 > 350 stored units: left out
    for n_units, variance, cumulative in results:
        _, want_variance, want_cumulative = PCA(data[:, :n_units])
        np.testing.assert_allclose(variance, want_variance, rtol=1e-4, atol=1e-9 * want_variance[0])
        np.testing.assert_allclose(cumulative, want_cumulative, atol=1e-6)


def test_dimensionality_by_layer_gives_both_estimates_per_layer():
    variances = [np.array([4.0, 0.0, 0.0]), np.array([1.0, 1.0, 1.0])]
    cumulatives = [np.cumsum(v) / v.sum() for v in variances]
    result = dimensionality_by_layer(variances, cumulatives, threshold=0.8)
    np.testing.assert_array_equal(result["components_needed"], [1, 3])
    np.testing.assert_allclose(result["participation_ratio"], [1.0, 3.0])
    assert result["components_needed"].dtype == np.int64


# --- comparing two networks ---------------------------------------------------------------------------------

def test_mean_lower_triangle_leaves_out_the_diagonal_and_undefined_entries():
    matrix = np.array([[1.0, 9.0, 9.0], [0.2, 1.0, 9.0], [np.nan, 0.6, 1.0]])
    assert mean_lower_triangle(matrix) == pytest.approx(0.4)
    assert np.isnan(mean_lower_triangle(np.full((2, 2), np.nan)))


def test_class_separation_against_a_loop_over_pairs():
    rng = np.random.default_rng(6)
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    stack = rng.uniform(-1, 1, size=(3, 8, 8))
    stack = (stack + stack.transpose(0, 2, 1)) / 2
    stack[1, 2, 5] = stack[1, 5, 2] = np.nan  # an undefined entry is left out
    for layer, matrix in enumerate(stack):
        within = [matrix[i, j] for i in range(8) for j in range(8)
                  if i != j and labels[i] == labels[j] and np.isfinite(matrix[i, j])]
        between = [matrix[i, j] for i in range(8) for j in range(8)
                   if labels[i] != labels[j] and np.isfinite(matrix[i, j])]
        assert class_separation(stack, labels)[layer] == pytest.approx(np.mean(within) - np.mean(between))
    assert class_separation(stack[0], labels) == pytest.approx(class_separation(stack, labels)[0])


def test_class_separation_is_zero_without_class_structure_and_positive_with_it():
    labels = np.repeat([0, 1], 4)
    assert class_separation(np.ones((8, 8)), labels) == pytest.approx(0.0)
    blocks = np.where(labels[:, None] == labels[None, :], 0.9, -0.1)
    assert class_separation(blocks, labels) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="two classes"):
        class_separation(np.ones((4, 4)), np.zeros(4))
    with pytest.raises(ValueError, match="one label per image"):
        class_separation(np.ones((4, 4)), np.zeros(3))


def test_layer_agreement_is_spearman_between_the_same_layers_lower_triangles():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(7)
    first = rng.uniform(-1, 1, size=(4, 6, 6))
    second = first + rng.normal(0, 0.5, size=first.shape)
    rows, columns = np.tril_indices(6, k=-1)
    want = [spearmanr(a[rows, columns], b[rows, columns]).statistic for a, b in zip(first, second)]
    np.testing.assert_allclose(layer_agreement(first, second), want, atol=1e-12)
    np.testing.assert_allclose(layer_agreement(first, first), 1.0)
    with pytest.raises(ValueError, match="same shape"):
        layer_agreement(first, second[:3])
