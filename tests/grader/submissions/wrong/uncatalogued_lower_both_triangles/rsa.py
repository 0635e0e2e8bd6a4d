"""Wrong on purpose, and in no hint's catalogue (every entry off the diagonal, both triangles): the grader must fail
it and say what the numbers show."""

import numpy as np


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix, dtype=float)
    return matrix[~np.eye(len(matrix), dtype=bool)]
