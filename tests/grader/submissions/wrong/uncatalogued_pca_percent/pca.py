"""Wrong on purpose, and in no hint's catalogue (the cumulative curve in percent): the grader must fail it and say
what the numbers show."""

import numpy as np


def PCA(data_matrix):
    data = np.asarray(data_matrix, dtype=float)
    centred = data - data.mean(axis=0)
    _, singular_values, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular_values**2 / (len(data) - 1)
    return components, variance, 100 * np.cumsum(variance) / variance.sum()
