"""Hostile: returns an object that claims to equal anything and to have the right shape."""

import numpy as np


class Rigged:
    def __init__(self, n):
        self.shape, self.dtype, self.ndim = (n, n), np.dtype("float64"), 2

    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)

    def __len__(self):
        return self.shape[0]


def get_similarity_matrix(activations):
    return Rigged(len(activations))
