"""Wrong on purpose (returns np.tril(matrix, -1)): the grader must fail it and say why."""

import numpy as np


def extract_lower_tri_entries(matrix):
    return np.tril(np.asarray(matrix), -1)
