"""Wrong on purpose (returns a torch tensor for a tensor input): the grader must fail it and say why."""

import numpy as np


def get_similarity_matrix(activations):
    if type(activations).__module__.startswith("torch"):
        import torch

        return torch.corrcoef(activations.reshape(len(activations), -1).double())
    return np.corrcoef(np.asarray(activations, dtype=float).reshape(len(activations), -1))
