"""Reference RSA solutions against independent references (np.corrcoef, scipy, hand-written loops) and invariants."""

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from solutions.rsa import extract_lower_tri_entries, get_similarity_matrix, second_order_similarity, spearman_corrcoef


def _pearson_loop(rows):
    n_rows = len(rows)
    result = np.empty((n_rows, n_rows))
    for i in range(n_rows):
        for j in range(n_rows):
            a, b = rows[i] - rows[i].mean(), rows[j] - rows[j].mean()
            result[i, j] = (a @ b) / np.sqrt((a @ a) * (b @ b))
    return result


def _average_ranks(values):
    """Ranks 1..k by a plain sort, ties sharing the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return np.array(ranks)


@pytest.mark.parametrize("shape", [(5, 7), (10, 3, 4, 4), (2, 50), (30, 1000)])
def test_similarity_matches_corrcoef_and_a_loop(shape):
    activations = np.random.default_rng(0).normal(size=shape)
    flat = activations.reshape(shape[0], -1)
    result = get_similarity_matrix(activations)
    assert result.shape == (shape[0], shape[0])
    np.testing.assert_allclose(result, np.corrcoef(flat), atol=1e-12)
    np.testing.assert_allclose(result, _pearson_loop(flat), atol=1e-12)
    np.testing.assert_allclose(result, result.T)
    np.testing.assert_allclose(np.diag(result), 1.0)


def test_similarity_accepts_float32_and_torch_and_returns_numpy():
    activations = np.random.default_rng(1).normal(size=(6, 2, 3, 3)).astype(np.float32)
    expected = np.corrcoef(activations.reshape(6, -1).astype(np.float64))
    from_tensor = get_similarity_matrix(torch.from_numpy(activations))
    assert isinstance(from_tensor, np.ndarray)
    np.testing.assert_allclose(from_tensor, expected, atol=1e-6)
    np.testing.assert_allclose(get_similarity_matrix(activations), expected, atol=1e-6)


def test_similarity_is_invariant_to_baseline_and_gain():
    activations = np.random.default_rng(2).normal(size=(4, 20))
    rescaled = activations * np.array([[2.0], [0.5], [10.0], [1.0]]) + np.array([[3.0], [-1.0], [0.0], [7.0]])
    np.testing.assert_allclose(get_similarity_matrix(rescaled), get_similarity_matrix(activations), atol=1e-12)


def test_constant_row_gives_nan_like_corrcoef():
    activations = np.random.default_rng(3).normal(size=(4, 10))
    activations[2] = 1.5
    result = get_similarity_matrix(activations)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.corrcoef(activations)
    np.testing.assert_array_equal(np.isnan(result), np.isnan(expected))
    assert np.isnan(result[2]).all() and np.isnan(result[:, 2]).all()


@pytest.mark.parametrize("bad, match", [
    (np.zeros(5), "at least 2-D"),
    (np.zeros((1, 5)), "at least 2 images"),
    (np.array([["a", "b"], ["c", "d"]]), "must hold numbers"),
])
def test_similarity_rejects_bad_input_with_a_fix(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        get_similarity_matrix(bad)


@pytest.mark.parametrize("n", [2, 3, 7])
def test_lower_triangle_is_strict_and_row_major(n):
    matrix = np.arange(n * n, dtype=float).reshape(n, n)
    expected = [matrix[i, j] for i in range(n) for j in range(i)]
    np.testing.assert_array_equal(extract_lower_tri_entries(matrix), expected)
    assert extract_lower_tri_entries(matrix).shape == (n * (n - 1) // 2,)


def test_lower_triangle_rejects_non_square():
    with pytest.raises(ValueError, match="square"):
        extract_lower_tri_entries(np.zeros((3, 4)))


def test_spearman_matches_scipy_for_three_or_more_rows():
    data = np.random.default_rng(4).normal(size=(5, 40))
    np.testing.assert_allclose(spearman_corrcoef(data), spearmanr(data, axis=1).statistic, atol=1e-12)


def test_spearman_with_two_rows_is_a_matrix():
    data = np.random.default_rng(5).normal(size=(2, 30))
    result = spearman_corrcoef(data)
    assert result.shape == (2, 2)
    assert result[0, 1] == pytest.approx(spearmanr(data[0], data[1]).statistic)


def test_spearman_averages_tied_ranks_like_a_hand_loop():
    data = np.array([[1, 2, 2, 3, 3, 3, 0], [5, 5, 1, 2, 9, 9, 9], [0, 1, 0, 1, 0, 1, 0]], dtype=float)
    ranks = np.stack([_average_ranks(list(row)) for row in data])
    np.testing.assert_allclose(spearman_corrcoef(data), np.corrcoef(ranks), atol=1e-12)


def test_spearman_is_unchanged_by_a_monotonic_distortion():
    data = np.random.default_rng(6).normal(size=(4, 25))
    np.testing.assert_allclose(spearman_corrcoef(np.exp(data)), spearman_corrcoef(data), atol=1e-12)


def test_second_order_is_symmetric_with_unit_diagonal_and_accepts_dicts():
    rng = np.random.default_rng(7)
    matrices = [get_similarity_matrix(rng.normal(size=(8, 30))) for _ in range(4)]
    result = second_order_similarity(matrices)
    assert result.shape == (4, 4)
    np.testing.assert_allclose(result, result.T)
    np.testing.assert_allclose(np.diag(result), 1.0)
    by_name = second_order_similarity({f"layer{i}": m for i, m in enumerate(matrices)})
    np.testing.assert_allclose(by_name, result)
    expected = spearmanr(np.stack([m[np.tril_indices(8, -1)] for m in matrices]), axis=1).statistic
    np.testing.assert_allclose(result, expected, atol=1e-12)


def test_second_order_with_two_layers():
    rng = np.random.default_rng(8)
    matrices = [get_similarity_matrix(rng.normal(size=(6, 10))) for _ in range(2)]
    assert second_order_similarity(matrices).shape == (2, 2)


@pytest.mark.parametrize("bad, match", [
    ([np.eye(3)], "at least 2 similarity matrices"),
    ([np.eye(3), np.eye(4)], "same shape"),
])
def test_second_order_rejects_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        second_order_similarity(bad)
