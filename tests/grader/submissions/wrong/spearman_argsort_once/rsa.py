"""Wrong on purpose (uses argsort once as ranks): the grader must fail it and say why."""

import numpy as np


def spearman_corrcoef(matrix):
    return np.corrcoef(np.argsort(np.asarray(matrix), axis=1))
