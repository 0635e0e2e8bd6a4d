"""Wrong on purpose (full_matrices=True): the grader must fail it and say why."""

import numpy as np


def PCA(data_matrix):
    data = np.asarray(data_matrix, dtype=float)
    centred = data - data.mean(axis=0)
    _, s, vt = np.linalg.svd(centred)
    variance = s**2 / (len(data) - 1)
    return vt, variance, np.cumsum(variance) / variance.sum()
