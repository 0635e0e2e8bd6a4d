"""Wrong on purpose (correlates units instead of images): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    rows = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    return np.corrcoef(rows, rowvar=False)
