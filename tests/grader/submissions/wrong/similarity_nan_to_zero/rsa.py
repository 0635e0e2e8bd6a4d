"""Wrong on purpose (replaces NaN of constant rows by 0): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    rows = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    return np.nan_to_num(np.corrcoef(rows))
