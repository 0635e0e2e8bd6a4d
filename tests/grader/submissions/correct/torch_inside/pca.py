"""Correct, computing with torch.linalg.svd (float64)."""

import numpy as np
import torch


def PCA(data_matrix):
    data = torch.as_tensor(np.asarray(data_matrix)).double()
    centred = data - data.mean(dim=0)
    _, singular_values, components = torch.linalg.svd(centred, full_matrices=False)
    variance = singular_values**2 / (data.shape[0] - 1)
    return components.numpy(), variance.numpy(), (torch.cumsum(variance, 0) / variance.sum()).numpy()


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    cumulative = torch.as_tensor(np.asarray(cumulative_variance_explained)).double()
    return int(torch.searchsorted(cumulative, torch.tensor([threshold], dtype=torch.float64))[0]) + 1
