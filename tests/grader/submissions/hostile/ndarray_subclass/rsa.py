"""Hostile: returns an ndarray subclass whose comparisons always say "equal"."""

import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __sub__(self, other):
        return np.zeros(np.shape(self))

    __rsub__ = __sub__


def get_similarity_matrix(activations):
    return np.zeros((len(activations), len(activations))).view(Agreeable)
