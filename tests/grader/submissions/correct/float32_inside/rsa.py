"""Correct, computing in float32 throughout (as a GPU or a memory-minded student would)."""

import numpy as np
from scipy.stats import rankdata


def get_similarity_matrix(activations):
    rows = np.asarray(activations, dtype=np.float32)
    rows = rows.reshape(len(rows), -1)
    centred = rows - rows.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        unit = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    return unit @ unit.T


def extract_lower_tri_entries(matrix):
    matrix = np.asarray(matrix, dtype=np.float32)
    rows, columns = np.tril_indices(len(matrix), k=-1)
    return matrix[rows, columns]


def spearman_corrcoef(matrix):
    return get_similarity_matrix(rankdata(np.asarray(matrix), axis=1).astype(np.float32))


def second_order_similarity(similarity_matrices):
    if isinstance(similarity_matrices, dict):
        similarity_matrices = list(similarity_matrices.values())
    return spearman_corrcoef(np.stack([extract_lower_tri_entries(m) for m in similarity_matrices]))
