"""Wrong on purpose, and in no hint's catalogue (correlations rounded to two decimals): the grader must fail it; no
simple relation explains it, so it must not claim one."""

import numpy as np


def get_similarity_matrix(activations):
    rows = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    return np.round(np.corrcoef(rows), 2)
