"""Wrong on purpose, and in no hint's catalogue (the result filled into an integer array): the grader must fail it
and say what the numbers show."""

import numpy as np


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix)
    rows, columns = np.tril_indices(len(matrix), k=-1)
    entries = np.zeros(len(rows), dtype=int)
    for position, (row, column) in enumerate(zip(rows, columns)):
        entries[position] = matrix[row, column]
    return entries
