"""Reference implementations of every exercise (pure numpy/scipy, no I/O)."""

from solutions.pca import PCA, components_to_reach
from solutions.rsa import extract_lower_tri_entries, get_similarity_matrix, second_order_similarity, spearman_corrcoef
from solutions.stimuli import pick_redness_extrema, redness

__all__ = [
    "get_similarity_matrix",
    "extract_lower_tri_entries",
    "spearman_corrcoef",
    "second_order_similarity",
    "PCA",
    "components_to_reach",
    "redness",
    "pick_redness_extrema",
]
