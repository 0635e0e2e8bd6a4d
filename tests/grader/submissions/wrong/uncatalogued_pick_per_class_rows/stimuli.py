"""Wrong on purpose, and in no hint's catalogue (one row per class, never flattened): the grader must fail it and say
what the numbers show."""

import numpy as np


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    redness, labels = np.asarray(redness, dtype=float), np.asarray(labels)
    rows = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)[:per_class]
        reddest = members[np.argsort(-redness[members], kind="stable")[:n_extreme]]
        least = members[np.argsort(redness[members], kind="stable")[:n_extreme]]
        rows.append(np.concatenate([reddest, least]))
    return np.array(rows, dtype=np.int64)
