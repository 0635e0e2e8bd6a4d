"""Wrong on purpose (scipy's single NaN for a constant row): the grader must fail it and say why."""

import numpy as np
from scipy.stats import spearmanr


def spearman_corrcoef(matrix):
    matrix = np.asarray(matrix)
    if len(matrix) == 2:
        rho = spearmanr(matrix[0], matrix[1]).statistic
        return np.array([[1.0, rho], [rho, 1.0]])
    return spearmanr(matrix, axis=1).statistic
