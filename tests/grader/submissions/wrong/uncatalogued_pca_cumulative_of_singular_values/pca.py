"""Wrong on purpose, and in no hint's catalogue (the cumulative curve of the singular values, not of the variances):
the grader must fail it; no simple relation explains it, so it must not claim one."""

import numpy as np


def PCA(data_matrix):
    data = np.asarray(data_matrix, dtype=float)
    centred = data - data.mean(axis=0)
    _, singular_values, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular_values**2 / (len(data) - 1)
    return components, variance, np.cumsum(singular_values) / singular_values.sum()
