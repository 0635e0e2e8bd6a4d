"""Correct, computing with torch (float64) and returning numpy arrays."""

import numpy as np
import torch


def _tensor(values):
    return (values if isinstance(values, torch.Tensor) else torch.as_tensor(np.asarray(values))).double()


def get_similarity_matrix(activations):
    rows = _tensor(activations)
    return torch.corrcoef(rows.reshape(rows.shape[0], -1)).numpy()


def extract_lower_tri_entries(matrix):
    matrix = _tensor(matrix)
    rows, columns = torch.tril_indices(matrix.shape[0], matrix.shape[0], offset=-1)
    return matrix[rows, columns].numpy()


def _average_ranks(rows):
    ranks = torch.empty_like(rows)
    for index, row in enumerate(rows):
        values, inverse, counts = torch.unique(row, sorted=True, return_inverse=True, return_counts=True)
        ends = torch.cumsum(counts, 0).double()
        ranks[index] = ((ends - counts + 1 + ends) / 2)[inverse]
    return ranks


def spearman_corrcoef(matrix):
    return get_similarity_matrix(_average_ranks(_tensor(matrix)))


def second_order_similarity(similarity_matrices):
    if isinstance(similarity_matrices, dict):
        similarity_matrices = list(similarity_matrices.values())
    return spearman_corrcoef(torch.stack([torch.as_tensor(extract_lower_tri_entries(m)) for m in similarity_matrices]))
