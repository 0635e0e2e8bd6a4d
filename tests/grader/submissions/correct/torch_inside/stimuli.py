"""Correct, computing the redness with torch."""

import numpy as np
import torch


def redness(images):
    images = torch.as_tensor(np.asarray(images)).double()
    means = images.mean(dim=(2, 3))
    return (means[:, 0] - (means[:, 1] + means[:, 2]) / 2).numpy()


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    redness, labels = np.asarray(redness), np.asarray(labels)
    picked = []
    for label in np.unique(labels):
        candidates = np.flatnonzero(labels == label)[:per_class]
        values = torch.as_tensor(redness[candidates]).double()
        reddest = torch.sort(values, descending=True, stable=True).indices[:n_extreme].numpy()
        least_red = torch.sort(values, stable=True).indices[:n_extreme].numpy()
        picked.extend(candidates[reddest])
        picked.extend(candidates[least_red])
    return np.asarray(picked, dtype=np.int64)
