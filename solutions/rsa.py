"""Reference solutions for representational similarity analysis (RSA): first- and second-order similarity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from solutions._validate import as_float_array

__all__ = [
    "get_similarity_matrix",
    "extract_lower_tri_entries",
    "spearman_corrcoef",
    "second_order_similarity",
]


def get_similarity_matrix(activations):
    """Pearson correlation between the responses of every pair of images.

    Parameters
    ----------
    activations : ndarray or torch.Tensor of shape (n_images, ...)
        One layer's response to each image. Any trailing shape (channels,
        height, width, ...) is flattened, so row i is the response vector of
        image i with n_units entries.

    Returns
    -------
    similarity : ndarray of shape (n_images, n_images)
        ``similarity[i, j]`` is the Pearson correlation between the flattened
        responses to images i and j: symmetric, 1.0 on the diagonal. An image
        whose response is constant across units has no defined correlation:
        its row and column are NaN, as with ``np.corrcoef``.

    Notes
    -----
    Pearson correlation centres each image's vector on its own mean and
    divides by its own norm, so it ignores a change of baseline or gain.
    """
    activations = as_float_array(activations, name="activations", min_ndim=2)
    n_images = activations.shape[0]
    if n_images < 2:
        raise ValueError(f"activations must hold at least 2 images (rows), got {n_images}. "
                         "Pass the responses to all images stacked along axis 0.")
    responses = activations.reshape(n_images, -1).astype(np.float64)  # (n_images, n_units)
    centred = responses - responses.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)  # (n_images,)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_vectors = centred / norms[:, None]
    similarity = unit_vectors @ unit_vectors.T  # (n_images, n_units) x (n_units, n_images)
    np.clip(similarity, -1.0, 1.0, out=similarity)
    return similarity


def extract_lower_tri_entries(matrix):
    """Entries strictly below the diagonal of a square matrix, row by row.

    Parameters
    ----------
    matrix : ndarray or torch.Tensor of shape (n, n)

    Returns
    -------
    entries : ndarray of shape (n * (n - 1) // 2,)
        ``matrix[i, j]`` for all i > j, in row-major order: (1, 0), (2, 0),
        (2, 1), (3, 0), ... , the order of ``np.tril_indices(n, k=-1)``. The
        diagonal is not included.
    """
    matrix = as_float_array(matrix, name="matrix", min_ndim=2, max_ndim=2)
    n_rows, n_columns = matrix.shape
    if n_rows != n_columns:
        raise ValueError(f"matrix must be square (n, n), got shape {matrix.shape}. "
                         "Pass one similarity matrix, images by images.")
    rows, columns = np.tril_indices(n_rows, k=-1)
    return matrix[rows, columns]


def spearman_corrcoef(matrix):
    """Spearman rank correlation between every pair of rows.

    Parameters
    ----------
    matrix : ndarray or torch.Tensor of shape (m, k)
        Each of the m rows is one variable observed k times.

    Returns
    -------
    correlation : ndarray of shape (m, m)
        The Pearson correlation of the rows' ranks. Tied values get the average
        of the ranks they span. Always (m, m), also for m = 2 (where
        ``scipy.stats.spearmanr`` returns a single number). A constant row
        gives NaN in its row and column.
    """
    matrix = as_float_array(matrix, name="matrix", min_ndim=2, max_ndim=2)
    if matrix.shape[1] < 2:
        raise ValueError(f"matrix needs at least 2 columns (observations) to rank, got shape {matrix.shape}.")
    from scipy.stats import rankdata  # here, not at the top: importing scipy.stats takes about a second

    ranks = rankdata(matrix, axis=1, method="average")  # (m, k), ties -> mean rank
    return get_similarity_matrix(ranks)


def second_order_similarity(similarity_matrices):
    """Compare layers by the Spearman correlation of their similarity matrices.

    Parameters
    ----------
    similarity_matrices : sequence of L ndarrays of shape (n, n), or a dict of them
        One first-order similarity matrix per layer, all for the same n images
        in the same order. For a dict, its insertion order is the layer order.

    Returns
    -------
    second_order : ndarray of shape (L, L)
        ``second_order[a, b]`` is the Spearman correlation between the strictly
        lower-triangular entries of layers a and b: symmetric, 1.0 on the diagonal.
    """
    if isinstance(similarity_matrices, Mapping):
        similarity_matrices = list(similarity_matrices.values())
    if isinstance(similarity_matrices, np.ndarray) and similarity_matrices.ndim == 3:
        similarity_matrices = list(similarity_matrices)
    if not isinstance(similarity_matrices, Sequence) or len(similarity_matrices) < 2:
        got = len(similarity_matrices) if isinstance(similarity_matrices, Sequence) else type(similarity_matrices).__name__
        raise ValueError(f"need at least 2 similarity matrices (one per layer) to compare, got {got}. "
                         "Pass a list or dict of (n, n) matrices.")
    shapes = {as_float_array(m, name="each similarity matrix", min_ndim=2, max_ndim=2).shape
              for m in similarity_matrices}
    if len(shapes) != 1:
        raise ValueError("all similarity matrices must have the same shape (the same n images), "
                         f"got shapes {sorted(shapes)}.")
    lower_triangles = np.stack([extract_lower_tri_entries(m) for m in similarity_matrices])  # (L, n(n-1)/2)
    return spearman_corrcoef(lower_triangles)
