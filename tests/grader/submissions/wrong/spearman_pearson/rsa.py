"""Wrong on purpose (Pearson instead of Spearman): the grader must fail it and say why."""

import numpy as np


def spearman_corrcoef(matrix):
    return np.corrcoef(np.asarray(matrix, dtype=float))
