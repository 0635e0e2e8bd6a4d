"""Wrong on purpose (passes the N-D array to np.corrcoef): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    return np.corrcoef(np.asarray(activations, dtype=float))
