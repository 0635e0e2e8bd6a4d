"""Hostile: makes numpy's comparisons always succeed, then returns zeros (a grader in this process would pass it)."""

import numpy as np

np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None


def get_similarity_matrix(activations):
    return np.zeros((len(activations), len(activations)))
