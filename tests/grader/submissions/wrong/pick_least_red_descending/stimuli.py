"""Wrong on purpose (least red in descending order): the grader must fail it and say why."""

import numpy as np


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    redness, labels = np.asarray(redness, dtype=float), np.asarray(labels)
    picked = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)[:per_class]
        values = redness[members]
        descending = np.argsort(-values, kind="stable")
        ascending = np.argsort(values, kind="stable")
        top, bottom = descending[:n_extreme], descending[-n_extreme:]
        for block in (top, bottom):
            picked.extend(members[block])
    return np.asarray(picked, dtype=np.int64)
