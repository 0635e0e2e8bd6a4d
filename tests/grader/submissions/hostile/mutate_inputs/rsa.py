"""Hostile: changes its inputs so that a grader recomputing the reference on them afterwards would agree."""

import numpy as np


def get_similarity_matrix(activations):
    activations[...] = np.arange(activations[0].size).reshape(activations[0].shape)  # every image the same
    return np.ones((len(activations), len(activations)))  # ... whose correlations are all 1


def extract_lower_tri_entries(matrix):
    entries = np.asarray(matrix)[np.tril_indices(len(matrix), k=-1)].copy()  # the right answer
    matrix[...] = 0  # then vandalise the input: a later case must not see it
    return entries


def second_order_similarity(similarity_matrices):
    matrices = list(similarity_matrices.values()) if isinstance(similarity_matrices, dict) else similarity_matrices
    for matrix in matrices:
        matrix[...] = 1.0
    if isinstance(similarity_matrices, list):
        similarity_matrices.clear()
    return np.ones((len(matrices), len(matrices)))
