"""Wrong on purpose (the blue channel taken as red: B - (G + R) / 2): the grader must fail it and say why."""

import numpy as np


def redness(images):
    means = np.asarray(images, dtype=float).mean(axis=(2, 3))
    return means[:, 2] - (means[:, 1] + means[:, 0]) / 2
