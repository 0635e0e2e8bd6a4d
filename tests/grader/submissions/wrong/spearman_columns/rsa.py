"""Wrong on purpose (correlates columns): the grader must fail it and say why."""

import numpy as np


from scipy.stats import spearmanr


def spearman_corrcoef(matrix):
    result = spearmanr(np.asarray(matrix)).statistic
    return np.atleast_2d(result)
