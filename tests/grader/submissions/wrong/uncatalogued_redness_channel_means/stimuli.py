"""Wrong on purpose, and in no hint's catalogue (each channel's mean, never combined): the grader must fail it and
say what the numbers show."""

import numpy as np


def redness(images):
    return np.asarray(images, dtype=float).mean(axis=(2, 3))
