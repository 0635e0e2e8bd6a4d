"""Wrong on purpose (selects entries by value): the grader must fail it and say why."""

import numpy as np


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix)
    return matrix[np.tril(matrix, -1) != 0]
