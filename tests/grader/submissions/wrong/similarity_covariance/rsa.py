"""Wrong on purpose (covariance instead of correlation): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    return np.cov(np.asarray(activations, dtype=float).reshape(len(activations), -1))
