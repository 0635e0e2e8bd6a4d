"""Wrong on purpose, and in no hint's catalogue (the entries sorted, as np.unique would): the grader must fail it and
say what the numbers show."""

import numpy as np


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix, dtype=float)
    return np.sort(matrix[np.tril_indices(len(matrix), k=-1)])
