"""Reference solutions for principal component analysis and the number of components a variance target needs."""

from __future__ import annotations

import numpy as np

from solutions._validate import as_float_array

__all__ = ["PCA", "components_to_reach"]


def PCA(data_matrix):  # noqa: N802 (the lesson's name)
    """Principal component analysis: the axes of largest variance and how much each explains.

    Parameters
    ----------
    data_matrix : ndarray or torch.Tensor of shape (n_samples, n_features)
        One row per sample (image), one column per feature (unit).

    Returns
    -------
    components : ndarray of shape (k, n_features)
        The principal axes, one per row, orthonormal, ordered by decreasing
        variance; k = min(n_samples, n_features). Each is defined up to sign.
    variance_explained : ndarray of shape (k,)
        Variance of the data along each component, descending, with the
        unbiased n_samples - 1 denominator: singular value squared / (n - 1).
    cumulative_variance_explained : ndarray of shape (k,)
        Running sum of ``variance_explained`` divided by the total variance:
        the fraction explained by the first c components, ending at 1.0.

    Notes
    -----
    Each feature (column) is centred on its mean over samples first. Then
    X = U S Vt, the components are the rows of Vt and the variances S**2 / (n - 1).
    """
    data_matrix = as_float_array(data_matrix, name="data_matrix", min_ndim=2, max_ndim=2)
    n_samples, n_features = data_matrix.shape
    if n_samples < 2:
        raise ValueError(f"data_matrix needs at least 2 samples (rows) to have a variance, got shape {data_matrix.shape}.")
    data = data_matrix.astype(np.float64)
    centred = data - data.mean(axis=0)  # centre each feature over samples
    _, singular_values, components = np.linalg.svd(centred, full_matrices=False)  # (k,), (k, n_features)
    variance_explained = singular_values**2 / (n_samples - 1)
    total = variance_explained.sum()
    if total == 0:
        raise ValueError("data_matrix has no variance: every sample (row) is the same, so no component explains anything.")
    cumulative_variance_explained = np.cumsum(variance_explained) / total
    cumulative_variance_explained[-1] = 1.0  # exact, not 1 - 1e-16
    return components, variance_explained, cumulative_variance_explained


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    """Smallest number of components whose cumulative fraction reaches a threshold.

    Parameters
    ----------
    cumulative_variance_explained : ndarray of shape (k,)
        Non-decreasing fractions of variance explained by the first 1, 2, ..., k
        components (as returned by ``PCA``), ending at (about) 1.0.
    threshold : float in (0, 1], default 0.8
        The fraction of variance to reach.

    Returns
    -------
    n_components : int
        The smallest c >= 1 with ``cumulative_variance_explained[c - 1] >= threshold``:
        a count of components, not an index; reaching the threshold exactly counts.
    """
    cumulative = as_float_array(cumulative_variance_explained, name="cumulative_variance_explained",
                                min_ndim=1, max_ndim=1)
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be a fraction in (0, 1], got {threshold!r}. For 80 % pass 0.8, not 80.")
    if cumulative.size == 0:
        raise ValueError("cumulative_variance_explained is empty; pass the output of PCA.")
    if np.any(np.diff(cumulative) < -1e-12):
        raise ValueError("cumulative_variance_explained must be non-decreasing; pass the cumulative fractions, "
                         "not the variance of each component.")
    reached = np.flatnonzero(cumulative >= threshold - 1e-12)
    if reached.size == 0:
        # Rounding can leave the last fraction a hair below 1.0; all components explain everything.
        return int(cumulative.size)
    return int(reached[0]) + 1
