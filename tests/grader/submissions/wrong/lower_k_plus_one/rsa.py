"""Wrong on purpose (np.tril_indices(n, k=1)): the grader must fail it and say why."""

import numpy as np


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix)
    return matrix[np.tril_indices(len(matrix), k=1)]
