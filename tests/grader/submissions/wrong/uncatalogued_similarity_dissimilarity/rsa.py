"""Wrong on purpose, and in no hint's catalogue (a dissimilarity 1 - r, as in an RDM): the grader must fail it and
say what the numbers show."""

import numpy as np


def get_similarity_matrix(activations):
    rows = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    return 1 - np.corrcoef(rows)
