"""Wrong on purpose (reshape(-1, n_images) mixes images): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    activations = np.asarray(activations, dtype=float)
    return np.corrcoef(activations.reshape(-1, len(activations)).T)
