"""Beyond the core lesson: Euclidean similarity, participation ratio, and how the unit subsample shapes dimensionality."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solutions._validate import as_float_array
from solutions.pca import PCA, components_to_reach

__all__ = ["SIMILARITY_MEASURES", "similarity_matrix", "euclidean_similarity", "participation_ratio",
           "dimensionality_by_units"]

SIMILARITY_MEASURES = ("correlation", "euclidean")


def euclidean_similarity(activations) -> np.ndarray:
    """Negated Euclidean distance between flattened rows, rescaled onto the correlation's [-1, 1] colour logic.

    Parameters
    ----------
    activations : ndarray of shape (n_images, ...)

    Returns
    -------
    similarity : ndarray of shape (n_images, n_images)
        ``1 - 2 * distance / max(distance)``: 1 on the diagonal (identical), -1 for the farthest pair. Unlike the
        correlation it changes when an image's response is shifted (baseline) or scaled (gain).
    """
    activations = as_float_array(activations, name="activations", min_ndim=2)
    responses = activations.reshape(activations.shape[0], -1).astype(np.float64)  # (n_images, n_units)
    squared_norms = np.einsum("ij,ij->i", responses, responses)
    # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b
    squared = squared_norms[:, None] + squared_norms[None, :] - 2 * responses @ responses.T
    distance = np.sqrt(np.clip(squared, 0, None))
    np.fill_diagonal(distance, 0.0)
    largest = distance.max()
    return np.ones_like(distance) if largest == 0 else 1 - 2 * distance / largest


def similarity_matrix(activations, measure: str = "correlation") -> np.ndarray:
    """First-order similarity by the chosen measure: "correlation" (Pearson) or "euclidean" (see above)."""
    if measure == "correlation":
        from solutions.rsa import get_similarity_matrix

        return get_similarity_matrix(activations)
    if measure == "euclidean":
        return euclidean_similarity(activations)
    raise ValueError(f"unknown similarity measure {measure!r}; valid options: {', '.join(SIMILARITY_MEASURES)}")


def participation_ratio(variance_explained) -> float:
    """Effective number of dimensions: (sum of variances)^2 / sum of squared variances.

    Equals d when the variance is spread evenly over d components and 1 when one component holds it all.
    """
    variance = as_float_array(variance_explained, name="variance_explained", min_ndim=1, max_ndim=1)
    if np.any(variance < 0):
        raise ValueError("variance_explained must be non-negative (variances along components)")
    total = variance.sum()
    if total == 0:
        raise ValueError("variance_explained sums to 0: there is no variance to spread over dimensions")
    return float(total**2 / np.sum(variance**2))


def dimensionality_by_units(stored_units: np.ndarray, unit_counts: Sequence[int] = (100, 300, 1000, 3000),
                            threshold: float = 0.8) -> list[dict]:
    """Dimensionality estimates from the first k units of a layer's stored random draw, for each k available.

    Parameters
    ----------
    stored_units : ndarray of shape (n_images, n_stored_units)
        A layer's responses on a nested random draw of units (the bank's ``pca_activations(layer, n_units=...)``).

    Returns
    -------
    One dict per usable k: ``n_units``, ``components_needed`` (for ``threshold``), ``participation_ratio``.
    """
    rows = []
    for n_units in unit_counts:
        if n_units > stored_units.shape[1]:
            continue
        _, variance, cumulative = PCA(stored_units[:, :n_units])
        rows.append({"n_units": int(n_units), "components_needed": components_to_reach(cumulative, threshold),
                     "participation_ratio": participation_ratio(variance)})
    return rows
