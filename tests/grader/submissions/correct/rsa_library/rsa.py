"""Correct, with library calls: np.corrcoef, np.tril_indices, scipy.stats.spearmanr (its single-number cases handled)."""

import numpy as np
from scipy.stats import rankdata, spearmanr


def get_similarity_matrix(activations):
    activations = np.asarray(activations)  # a CPU tensor converts too
    return np.corrcoef(activations.reshape(len(activations), -1))


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix)
    return matrix[np.tril_indices(len(matrix), k=-1)]


def spearman_corrcoef(matrix):
    matrix = np.asarray(matrix)
    result = spearmanr(matrix, axis=1).statistic
    if np.ndim(result) == 0:  # two rows, or a constant row: spearmanr gives a single number
        return np.corrcoef(rankdata(matrix, axis=1))
    return result


def second_order_similarity(similarity_matrices):
    matrices = similarity_matrices.values() if isinstance(similarity_matrices, dict) else similarity_matrices
    return spearman_corrcoef(np.stack([extract_lower_tri_entries(matrix) for matrix in matrices]))
