"""Wrong on purpose, and in no hint's catalogue (undefined correlations replaced by 0): the grader must fail it and
say what the numbers show."""

import numpy as np
from scipy.stats import rankdata


def spearman_corrcoef(matrix):
    ranks = rankdata(np.asarray(matrix, dtype=float), axis=1)
    return np.nan_to_num(np.corrcoef(ranks), nan=0.0)
