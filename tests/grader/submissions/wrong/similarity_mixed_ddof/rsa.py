"""Wrong on purpose (covariance with n - 1 over standard deviations with n): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    rows = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    std = rows.std(axis=1)
    return np.cov(rows) / np.outer(std, std)
