"""Wrong on purpose (calls .astype, which torch tensors do not have): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    rows = activations.astype(np.float64).reshape(len(activations), -1)
    return np.corrcoef(rows)
