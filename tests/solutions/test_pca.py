"""Reference PCA against the eigendecomposition of the covariance and scikit-learn; components_to_reach at the edges."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA as SklearnPCA  # noqa: N811

from solutions.pca import PCA, components_to_reach


@pytest.mark.parametrize("shape", [(50, 10), (10, 50), (20, 20), (2, 5)])
def test_pca_matches_the_covariance_eigendecomposition(shape):
    data = np.random.default_rng(0).normal(size=shape) @ np.diag(np.linspace(3, 0.5, shape[1]))
    components, variance, cumulative = PCA(data)
    k = min(shape)
    assert components.shape == (k, shape[1]) and variance.shape == (k,) and cumulative.shape == (k,)
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(data, rowvar=False)))[::-1][:k]
    np.testing.assert_allclose(variance, np.clip(eigenvalues, 0, None), atol=1e-10)
    np.testing.assert_allclose(components @ components.T, np.eye(k), atol=1e-10)
    assert np.all(np.diff(variance) <= 1e-12)
    assert cumulative[-1] == 1.0 and np.all(np.diff(cumulative) >= -1e-15)


def test_pca_agrees_with_scikit_learn_up_to_sign():
    data = np.random.default_rng(1).normal(size=(40, 6)) * [5, 4, 3, 2, 1, 0.5]
    components, variance, cumulative = PCA(data)
    reference = SklearnPCA().fit(data)
    np.testing.assert_allclose(variance, reference.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(cumulative, np.cumsum(reference.explained_variance_ratio_), rtol=1e-10)
    signs = np.sign(np.sum(components * reference.components_, axis=1))
    np.testing.assert_allclose(components * signs[:, None], reference.components_, atol=1e-8)


def test_all_components_reconstruct_the_centred_data_exactly():
    data = np.random.default_rng(2).normal(size=(12, 30))
    components, _, _ = PCA(data)
    centred = data - data.mean(axis=0)
    np.testing.assert_allclose((centred @ components.T) @ components, centred, atol=1e-10)


def test_pca_accepts_float32_and_torch():
    data = np.random.default_rng(3).normal(size=(15, 8)).astype(np.float32)
    _, variance, _ = PCA(torch.from_numpy(data))
    np.testing.assert_allclose(variance, PCA(data.astype(np.float64))[1], rtol=1e-5)


def test_pca_rejects_a_single_sample():
    with pytest.raises(ValueError, match="at least 2 samples"):
        PCA(np.ones((1, 4)))


@pytest.mark.parametrize("cumulative, threshold, want", [
    ([0.5, 0.8, 1.0], 0.8, 2),  # exactly at the threshold counts
    ([0.5, 0.79999, 1.0], 0.8, 3),  # just below does not
    ([0.5, 0.80001, 1.0], 0.8, 2),  # just above does
    ([0.9, 1.0], 0.8, 1),  # the first component alone
    ([0.2, 0.4, 1.0], 1.0, 3),
    ([0.3, 0.6, 0.9999999999999998], 1.0, 3),  # rounding just below 1.0 still counts all
])
def test_components_to_reach(cumulative, threshold, want):
    result = components_to_reach(np.array(cumulative), threshold)
    assert result == want and isinstance(result, int)


@pytest.mark.parametrize("threshold", [0, 80, -0.1, 1.5])
def test_components_to_reach_rejects_thresholds_outside_0_1(threshold):
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        components_to_reach(np.array([0.5, 1.0]), threshold)


def test_components_to_reach_rejects_a_decreasing_curve():
    with pytest.raises(ValueError, match="non-decreasing"):
        components_to_reach(np.array([0.6, 0.3, 0.1]))
