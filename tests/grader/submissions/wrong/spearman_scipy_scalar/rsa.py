"""Wrong on purpose (returns scipy's scalar for two rows): the grader must fail it and say why."""

import numpy as np


from scipy.stats import spearmanr


def spearman_corrcoef(matrix):
    return spearmanr(np.asarray(matrix), axis=1).statistic
