"""Wrong on purpose, and in no hint's catalogue (each channel's maximum instead of its mean): the grader must fail
it; no simple relation explains it, so it must not claim one."""

import numpy as np


def redness(images):
    peaks = np.asarray(images, dtype=float).max(axis=(2, 3))
    return peaks[:, 0] - (peaks[:, 1] + peaks[:, 2]) / 2
