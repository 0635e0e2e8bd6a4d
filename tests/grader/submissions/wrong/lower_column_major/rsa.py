"""Wrong on purpose (lists the entries column by column): the grader must fail it and say why."""

import numpy as np


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix)
    n = len(matrix)
    return np.array([matrix[i, j] for j in range(n) for i in range(j + 1, n)], dtype=float)
