"""Wrong on purpose (Pearson on the lower triangles): the grader must fail it and say why."""

import numpy as np
from scipy.stats import rankdata, spearmanr


def _lower(matrix, k=-1):
    matrix = np.asarray(matrix, dtype=float)
    return matrix[np.tril_indices(len(matrix), k=k)]


def second_order_similarity(similarity_matrices):
    matrices = list(similarity_matrices.values()) if isinstance(similarity_matrices, dict) else list(similarity_matrices)
    return np.corrcoef(np.stack([_lower(m) for m in matrices]))
