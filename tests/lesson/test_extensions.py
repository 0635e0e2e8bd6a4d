"""Extension measures against their definitions and independent references (scipy's cdist)."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from lesson.extensions import dimensionality_by_units, euclidean_similarity, participation_ratio, similarity_matrix


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
