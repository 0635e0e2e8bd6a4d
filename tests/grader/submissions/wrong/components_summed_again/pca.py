"""Wrong on purpose (applies np.cumsum again): the grader must fail it and say why."""

import numpy as np


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    return int(np.argmax(np.cumsum(cumulative_variance_explained) >= threshold)) + 1
