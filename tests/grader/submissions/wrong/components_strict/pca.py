"""Wrong on purpose (> instead of >=): the grader must fail it and say why."""

import numpy as np


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    return int(np.argmax(np.asarray(cumulative_variance_explained) > threshold)) + 1
