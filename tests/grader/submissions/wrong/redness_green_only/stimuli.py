"""Wrong on purpose (R - G): the grader must fail it and say why."""

import numpy as np


def redness(images):
    means = np.asarray(images, dtype=float).mean(axis=(2, 3))
    return means[:, 0] - means[:, 1]
