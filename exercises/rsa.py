"""Exercises: representational similarity analysis (RSA), first- and second-order similarity.

Implement each function below; the docstring is the contract the grader checks.
Run `python -m grader --exercise NAME` or press Check in the app to test your work.
"""

from __future__ import annotations

__all__ = ["get_similarity_matrix", "extract_lower_tri_entries", "spearman_corrcoef", "second_order_similarity"]


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
    # Useful: ndarray.reshape(n_images, -1) to flatten each image's response, np.corrcoef (rows are variables).
    raise NotImplementedError(
        "get_similarity_matrix is not implemented yet: see page 2 (First-order similarity) of the lesson.")


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
    # Useful: np.tril_indices(n, k=-1). Check that the diagonal is left out.
    raise NotImplementedError(
        "extract_lower_tri_entries is not implemented yet: see page 3 (Second-order similarity) of the lesson.")


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
    # Useful: scipy.stats.rankdata(..., axis=1) gives average ranks for ties;
    # the Spearman correlation is the Pearson correlation of the ranks.
    raise NotImplementedError(
        "spearman_corrcoef is not implemented yet: see page 3 (Second-order similarity) of the lesson.")


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
    # Compose the two functions above: one row of lower-triangular entries per layer.
    raise NotImplementedError(
        "second_order_similarity is not implemented yet: see page 3 (Second-order similarity) of the lesson.")
