"""Exercises: principal component analysis and the number of components a variance target needs.

Implement each function below; the docstring is the contract the grader checks.
Run `python -m grader --exercise NAME` or press Check in the app to test your work.
"""

from __future__ import annotations

__all__ = ["PCA", "components_to_reach"]


def PCA(data_matrix):  # noqa: N802 (the lesson's name)
    """Principal component analysis: the axes of largest variance and how much each explains.

    Parameters
    ----------
    data_matrix : ndarray or torch.Tensor of shape (n_samples, n_features)
        One row per sample (image), one column per feature (unit).

    Returns
    -------
    components : ndarray of shape (k, n_features)
        The principal axes, one per row, orthonormal, ordered by decreasing
        variance; k = min(n_samples, n_features). Each is defined up to sign.
    variance_explained : ndarray of shape (k,)
        Variance of the data along each component, descending, with the
        unbiased n_samples - 1 denominator: singular value squared / (n - 1).
    cumulative_variance_explained : ndarray of shape (k,)
        Running sum of ``variance_explained`` divided by the total variance:
        the fraction explained by the first c components, ending at 1.0.

    Notes
    -----
    Each feature (column) is centred on its mean over samples first. Then
    X = U S Vt, the components are the rows of Vt and the variances S**2 / (n - 1).
    """
    # Useful: centre each column (feature) with data_matrix.mean(axis=0),
    # then np.linalg.svd(centred, full_matrices=False). Variance = singular value squared / (n - 1).
    raise NotImplementedError("PCA is not implemented yet: see page 4 (PCA and dimensionality) of the lesson.")


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    """Smallest number of components whose cumulative fraction reaches a threshold.

    Parameters
    ----------
    cumulative_variance_explained : ndarray of shape (k,)
        Non-decreasing fractions of variance explained by the first 1, 2, ..., k
        components (as returned by ``PCA``), ending at (about) 1.0.
    threshold : float in (0, 1], default 0.8
        The fraction of variance to reach.

    Returns
    -------
    n_components : int
        The smallest c >= 1 with ``cumulative_variance_explained[c - 1] >= threshold``:
        a count of components, not an index; reaching the threshold exactly counts.
    """
    # Useful: np.argmax on a boolean array, or np.searchsorted. Return a count, not an index.
    raise NotImplementedError(
        "components_to_reach is not implemented yet: see page 4 (PCA and dimensionality) of the lesson.")
