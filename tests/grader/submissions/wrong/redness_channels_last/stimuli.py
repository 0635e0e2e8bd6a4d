"""Wrong on purpose (takes channels from the last axis): the grader must fail it and say why."""

import numpy as np


def redness(images):
    images = np.asarray(images, dtype=float)
    red, green, blue = images[..., 0], images[..., 1], images[..., 2]
    return red.mean(axis=(1, 2)) - (green.mean(axis=(1, 2)) + blue.mean(axis=(1, 2))) / 2
