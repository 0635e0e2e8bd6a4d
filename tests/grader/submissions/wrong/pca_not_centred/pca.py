"""Wrong on purpose (no centring): the grader must fail it and say why."""

import numpy as np


def _pca(data, centre=True, ddof=1, square=True):
    data = np.asarray(data, dtype=float)
    if centre:
        data = data - data.mean(axis=0)
    _, s, vt = np.linalg.svd(data, full_matrices=False)
    variance = (s**2 if square else s) / (len(data) - ddof)
    return vt, variance, np.cumsum(variance) / variance.sum()


def PCA(data_matrix):
    return _pca(data_matrix, centre=False)
