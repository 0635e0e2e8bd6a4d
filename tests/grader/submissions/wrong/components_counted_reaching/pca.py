"""Wrong on purpose (counts the values at or above the threshold): the grader must fail it and say why."""

import numpy as np


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    return int(np.sum(np.asarray(cumulative_variance_explained) >= threshold))
