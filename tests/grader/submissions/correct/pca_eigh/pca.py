"""Correct, by eigendecomposition of the covariance (eigh), largest first, returned as a namedtuple; np.searchsorted."""

from collections import namedtuple

import numpy as np

Result = namedtuple("Result", "components variance_explained cumulative_variance_explained")


def PCA(data_matrix):
    data = np.asarray(data_matrix, dtype=np.float64)
    n_samples, n_features = data.shape
    centred = data - data.mean(axis=0)
    covariance = centred.T @ centred / (n_samples - 1)  # (n_features, n_features)
    values, vectors = np.linalg.eigh(covariance)  # ascending
    order = np.argsort(values)[::-1][: min(n_samples, n_features)]
    variance = np.clip(values[order], 0.0, None)
    return Result(vectors[:, order].T, variance, np.cumsum(variance) / variance.sum())


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    cumulative = np.asarray(cumulative_variance_explained)
    return min(int(np.searchsorted(cumulative, threshold, side="left")) + 1, len(cumulative))
