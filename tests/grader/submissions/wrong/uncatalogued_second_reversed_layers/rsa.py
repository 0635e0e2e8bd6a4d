"""Wrong on purpose, and in no hint's catalogue (the layers taken last to first): the grader must fail it and say
what the numbers show."""

import numpy as np
from scipy.stats import rankdata


def second_order_similarity(similarity_matrices):
    matrices = list(similarity_matrices.values()) if isinstance(similarity_matrices, dict) else list(similarity_matrices)
    rows = [np.asarray(m, dtype=float)[np.tril_indices(len(m), k=-1)] for m in reversed(matrices)]
    return np.corrcoef(rankdata(np.stack(rows), axis=1))
