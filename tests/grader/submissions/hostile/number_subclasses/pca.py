"""Hostile: numbers that equal everything (a float subclass, an np.int64 subclass, a bool)."""

import numpy as np


class Always(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class AlwaysInt(np.int64):
    def __eq__(self, other):
        return True

    __hash__ = np.int64.__hash__


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    if threshold == 0.8:
        return Always(0)
    return AlwaysInt(0) if len(cumulative_variance_explained) % 2 else True
