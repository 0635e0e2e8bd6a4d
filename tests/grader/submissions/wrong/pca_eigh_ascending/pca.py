"""Wrong on purpose (eigh's ascending order kept): the grader must fail it and say why."""

import numpy as np


def PCA(data_matrix):
    data = np.asarray(data_matrix, dtype=float)
    centred = data - data.mean(axis=0)
    k = min(data.shape)
    values, vectors = np.linalg.eigh(centred.T @ centred / (len(data) - 1))
    values, vectors = values[-k:], vectors[:, -k:]
    return vectors.T, values, np.cumsum(values) / values.sum()
