"""Hostile: redness never returns; pick_redness_extrema is correct and must still be graded (and pass)."""

import numpy as np


def redness(images):
    while True:
        pass


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    redness, labels = np.asarray(redness, dtype=float), np.asarray(labels)
    picked = []
    for label in np.unique(labels):
        candidates = np.flatnonzero(labels == label)[:per_class]
        picked.extend(candidates[np.argsort(-redness[candidates], kind="stable")[:n_extreme]])
        picked.extend(candidates[np.argsort(redness[candidates], kind="stable")[:n_extreme]])
    return np.asarray(picked, dtype=np.int64)
