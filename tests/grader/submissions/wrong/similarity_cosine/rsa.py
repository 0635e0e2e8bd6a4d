"""Wrong on purpose (cosine similarity (no centring)): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    rows = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    unit = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return unit @ unit.T
