"""Wrong on purpose, and in no hint's catalogue (the lesson's sizes written in, per_class and n_extreme ignored): the
grader must fail it and say what the numbers show."""

import numpy as np


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    redness, labels = np.asarray(redness, dtype=float), np.asarray(labels)
    picked = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)[:40]
        picked.extend(members[np.argsort(-redness[members], kind="stable")[:5]])
        picked.extend(members[np.argsort(redness[members], kind="stable")[:5]])
    return np.asarray(picked, dtype=np.int64)
