"""Wrong on purpose, and in no hint's catalogue (the picked positions found with a mask, so in ascending order): the
grader must fail it and say what the numbers show."""

import numpy as np


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    redness, labels = np.asarray(redness, dtype=float), np.asarray(labels)
    chosen = np.zeros(len(redness), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)[:per_class]
        order = np.argsort(-redness[members], kind="stable")
        chosen[members[order[:n_extreme]]] = True
        chosen[members[np.argsort(redness[members], kind="stable")[:n_extreme]]] = True
    return np.flatnonzero(chosen)
