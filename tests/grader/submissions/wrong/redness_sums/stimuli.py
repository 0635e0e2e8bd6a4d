"""Wrong on purpose (sums the pixels): the grader must fail it and say why."""

import numpy as np


def redness(images):
    sums = np.asarray(images, dtype=float).sum(axis=(2, 3))
    return sums[:, 0] - (sums[:, 1] + sums[:, 2]) / 2
