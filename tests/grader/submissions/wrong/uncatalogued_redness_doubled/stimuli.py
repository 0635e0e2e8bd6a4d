"""Wrong on purpose, and in no hint's catalogue (2R - G - B, twice the redness): the grader must fail it and say what
the numbers show."""

import numpy as np


def redness(images):
    means = np.asarray(images, dtype=float).mean(axis=(2, 3))  # (n_images, 3)
    return 2 * means[:, 0] - means[:, 1] - means[:, 2]
