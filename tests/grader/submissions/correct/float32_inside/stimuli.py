"""Correct, computing the redness in float32 (the ordering of pick_redness_extrema works on the values given)."""

import numpy as np


def redness(images):
    means = np.asarray(images, dtype=np.float32).mean(axis=(2, 3))
    return means[:, 0] - (means[:, 1] + means[:, 2]) / np.float32(2)


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    redness, labels = np.asarray(redness), np.asarray(labels)
    picked = []
    for label in sorted(set(labels.tolist())):
        candidates = [int(i) for i in np.flatnonzero(labels == label)[:per_class]]
        reddest = sorted(candidates, key=lambda i: -redness[i])[:n_extreme]  # sorted() is stable
        least_red = sorted(candidates, key=lambda i: redness[i])[:n_extreme]
        picked += reddest + least_red
    return np.array(picked)
