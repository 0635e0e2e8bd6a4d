"""Correct, by hand: covariance over standard deviations, loops for the triangle, own average ranks."""

import numpy as np


def _as_array(values):
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=np.float64)


def get_similarity_matrix(activations):
    activations = _as_array(activations)
    rows = activations.reshape(activations.shape[0], -1, order="F")  # the same unit order for every image
    centred = rows - rows.mean(axis=1, keepdims=True)
    covariance = centred @ centred.T / (rows.shape[1] - 1)
    std = np.sqrt(np.diag(covariance))
    with np.errstate(divide="ignore", invalid="ignore"):
        return covariance / np.outer(std, std)


def extract_lower_tri_entries(matrix):
    matrix = _as_array(matrix)
    n = len(matrix)
    return np.array([matrix[i, j] for i in range(n) for j in range(i)], dtype=np.float64)


def _average_ranks(row):
    order = sorted(range(len(row)), key=lambda index: row[index])
    ranks = np.empty(len(row))
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and row[order[end + 1]] == row[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman_corrcoef(matrix):
    matrix = _as_array(matrix)
    return get_similarity_matrix(np.array([_average_ranks(row) for row in matrix]))


def second_order_similarity(similarity_matrices):
    if isinstance(similarity_matrices, dict):
        similarity_matrices = list(similarity_matrices.values())
    return spearman_corrcoef(np.stack([extract_lower_tri_entries(matrix) for matrix in similarity_matrices]))
