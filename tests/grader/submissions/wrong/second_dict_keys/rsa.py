"""Wrong on purpose (loops over a dict, which gives its keys): the grader must fail it and say why."""

import numpy as np
from scipy.stats import rankdata


def second_order_similarity(similarity_matrices):
    lowers = [matrix[np.tril_indices(len(matrix), k=-1)] for matrix in similarity_matrices]
    return np.corrcoef(rankdata(np.stack(lowers), axis=1))
