"""Beyond the core lesson: Euclidean similarity, participation ratio, how the unit subsample shapes dimensionality,
and the numbers that compare two networks (learned vs untrained) on the same images. Pure numpy, no I/O."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lesson.references import reference

_NEEDED_FOR = "the optional parts of the lesson"  # a student release has none: lesson/app/beyond.py says so


def as_float_array(*args, **kwargs) -> np.ndarray:
    return reference("_validate", "as_float_array", needed_for=_NEEDED_FOR)(*args, **kwargs)


def components_to_reach(*args, **kwargs) -> int:
    return reference("pca", "components_to_reach", needed_for=_NEEDED_FOR)(*args, **kwargs)


def second_order_similarity(*args, **kwargs) -> np.ndarray:
    return reference("rsa", "second_order_similarity", needed_for=_NEEDED_FOR)(*args, **kwargs)

__all__ = ["SIMILARITY_MEASURES", "UNIT_COUNTS", "similarity_matrix", "euclidean_similarity", "participation_ratio",
           "variance_spectrum", "layer_dimensionality", "dimensionality_by_layer", "spectra_by_units",
           "dimensionality_by_units", "mean_lower_triangle", "class_separation", "layer_agreement"]

SIMILARITY_MEASURES = ("correlation", "euclidean")
UNIT_COUNTS = (100, 300, 1000, 3000)  # numbers of units compared in the "why subsample" study


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
        return reference("rsa", "get_similarity_matrix", needed_for=_NEEDED_FOR)(activations)
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


def variance_spectrum(data_matrix) -> tuple[np.ndarray, np.ndarray]:
    """PCA's ``variance_explained`` and ``cumulative_variance_explained`` of a data matrix (n_images, n_units),
    without the components (the reference's, from ``solutions/_spectra.py``; absent in a student release)."""
    return reference("_spectra", "variance_spectrum", needed_for=_NEEDED_FOR)(data_matrix)


def layer_dimensionality(variance_explained, cumulative_variance_explained, threshold: float = 0.8) -> dict:
    """Both dimensionality estimates of one layer: ``components_needed`` (for ``threshold``) and
    ``participation_ratio``, from PCA's outputs (variance_explained (k,), cumulative_variance_explained (k,))."""
    return {"components_needed": components_to_reach(cumulative_variance_explained, threshold),
            "participation_ratio": participation_ratio(variance_explained)}


def dimensionality_by_layer(variance_explained, cumulative_variance_explained,
                            threshold: float = 0.8) -> dict[str, np.ndarray]:
    """Both estimates for every layer, from per-layer PCA outputs (sequences of L arrays (k,), or (L, k) arrays).

    Returns ``{"components_needed": int array (L,), "participation_ratio": float array (L,)}``.
    """
    rows = [layer_dimensionality(variance, cumulative, threshold)
            for variance, cumulative in zip(variance_explained, cumulative_variance_explained, strict=True)]
    return {"components_needed": np.array([row["components_needed"] for row in rows], dtype=np.int64),
            "participation_ratio": np.array([row["participation_ratio"] for row in rows], dtype=np.float64)}


def spectra_by_units(stored_units,
                     unit_counts: Sequence[int] = UNIT_COUNTS) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """``(n_units, variance_explained, cumulative_variance_explained)`` of the first k units of a layer's stored
    random draw (n_images, n_stored_units), for each k of ``unit_counts`` it has (the reference's)."""
    return reference("_spectra", "spectra_by_units", needed_for=_NEEDED_FOR)(stored_units, unit_counts)


def dimensionality_by_units(stored_units: np.ndarray, unit_counts: Sequence[int] = UNIT_COUNTS,
                            threshold: float = 0.8) -> list[dict]:
    """Dimensionality estimates from the first k units of a layer's stored random draw, for each k available.

    Parameters
    ----------
    stored_units : ndarray of shape (n_images, n_stored_units)
        A layer's responses on a nested random draw of units (the bank's ``pca_activations(layer, n_units=...)``).

    Returns
    -------
    One dict per usable k (k <= n_stored_units): ``n_units``, ``components_needed`` (for ``threshold``),
    ``participation_ratio``.
    """
    return [{"n_units": n_units, **layer_dimensionality(variance, cumulative, threshold)}
            for n_units, variance, cumulative in spectra_by_units(stored_units, unit_counts)]


def mean_lower_triangle(matrix) -> float:
    """Mean of the entries strictly below the diagonal of an (n, n) matrix, undefined (NaN) entries left out.

    For a second-order matrix: how alike the layers' representations are on average (the diagonal is always 1).
    """
    matrix = as_float_array(matrix, name="matrix", min_ndim=2, max_ndim=2)
    rows, columns = np.tril_indices(matrix.shape[0], k=-1)
    entries = matrix[rows, columns]
    entries = entries[np.isfinite(entries)]
    return float(entries.mean()) if entries.size else float("nan")


def class_separation(similarity_matrices, labels) -> np.ndarray:
    """How much more alike images of the same class are than images of different classes, per layer.

    Parameters
    ----------
    similarity_matrices : ndarray of shape (n_layers, n_images, n_images) or (n_images, n_images)
        First-order similarity matrices, images in the order of ``labels``.
    labels : ndarray of shape (n_images,)
        The class of each image.

    Returns
    -------
    separation : ndarray of shape (n_layers,) (or a 0-d array for one matrix)
        Mean similarity over pairs of different images of the same class minus the mean over pairs of images
        of different classes; undefined (NaN) entries are left out. 0: the layer ignores the classes.
    """
    stack = as_float_array(similarity_matrices, name="similarity_matrices", min_ndim=2, max_ndim=3)
    labels = np.asarray(labels)
    n_images = stack.shape[-1]
    if stack.shape[-2:] != (n_images, n_images) or labels.shape != (n_images,):
        raise ValueError(f"similarity_matrices must be (n_layers, n, n) with one label per image; got shape "
                         f"{stack.shape} and {labels.shape[0] if labels.ndim else 0} labels.")
    same_class = labels[:, None] == labels[None, :]
    off_diagonal = ~np.eye(n_images, dtype=bool)
    within, between = same_class & off_diagonal, ~same_class
    if not within.any() or not between.any():
        raise ValueError("class_separation needs at least two classes and two images in some class.")
    separation = (np.nanmean(stack[..., within], axis=-1) - np.nanmean(stack[..., between], axis=-1))
    return np.asarray(separation)


def layer_agreement(first_order_a, first_order_b) -> np.ndarray:
    """Second-order similarity between two networks, layer by layer: how alike each layer's matrices are.

    Parameters
    ----------
    first_order_a, first_order_b : ndarray of shape (n_layers, n_images, n_images)
        The same layers of two networks, on the same images in the same order.

    Returns
    -------
    agreement : ndarray of shape (n_layers,)
        Spearman correlation between the strictly lower triangles of layer l in a and layer l in b (the
        lesson's second-order similarity, across networks). NaN where a matrix has undefined entries.
    """
    stack_a = as_float_array(first_order_a, name="first_order_a", min_ndim=3, max_ndim=3)
    stack_b = as_float_array(first_order_b, name="first_order_b", min_ndim=3, max_ndim=3)
    if stack_a.shape != stack_b.shape:
        raise ValueError(f"the two networks' first-order matrices must have the same shape (same layers, same "
                         f"images), got {stack_a.shape} and {stack_b.shape}.")
    return np.array([second_order_similarity([a, b])[0, 1] for a, b in zip(stack_a, stack_b)])
