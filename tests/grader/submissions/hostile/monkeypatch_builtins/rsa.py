"""Hostile: replaces builtins the grader might use (type, isinstance, len, open), then returns zeros."""

import builtins

import numpy as np

_real_open = builtins.open
builtins.isinstance = lambda *args: True
builtins.type = lambda *args: np.ndarray
builtins.len = lambda *args: 2
builtins.open = lambda *args, **kwargs: _real_open("/dev/null", "rb")


def get_similarity_matrix(activations):
    return np.zeros((activations.shape[0], activations.shape[0]))
