"""Correct, computing in float32 throughout."""

import numpy as np


def PCA(data_matrix):
    data = np.asarray(data_matrix, dtype=np.float32)
    centred = data - data.mean(axis=0)
    _, singular_values, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular_values**2 / np.float32(len(data) - 1)
    return components, variance, np.cumsum(variance) / variance.sum()


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    cumulative = np.asarray(cumulative_variance_explained, dtype=np.float32)
    return int(np.flatnonzero(cumulative >= np.float32(threshold))[0]) + 1
