"""Wrong on purpose (takes the upper triangle): the grader must fail it and say why."""

import numpy as np


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix)
    return matrix[np.triu_indices(len(matrix), k=1)]
