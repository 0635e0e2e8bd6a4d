"""Wrong on purpose (ranks without tie averaging): the grader must fail it and say why."""

import numpy as np


def spearman_corrcoef(matrix):
    ranks = np.argsort(np.argsort(np.asarray(matrix), axis=1, kind="stable"), axis=1)
    return np.corrcoef(ranks)
