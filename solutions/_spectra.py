"""The reference PCA spectrum without the components: the variances of each component from the small Gram matrix.

Reference code, as the solutions are: a student release leaves it out with them (it computes most of the PCA
exercise's answer). The lesson reaches it through ``lesson.analysis.beyond`` (the reference curves, the
optional studies of the number of units and of images).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solutions._validate import as_float_array

__all__ = ["variance_spectrum", "spectra_by_units"]


def variance_spectrum(data_matrix) -> tuple[np.ndarray, np.ndarray]:
    """PCA's ``variance_explained`` and ``cumulative_variance_explained``, without the components.

    Parameters
    ----------
    data_matrix : ndarray of shape (n_images, n_units)

    Returns
    -------
    variance_explained : ndarray of shape (k,), k = min(n_images, n_units)
        Descending, with the n_images - 1 denominator, as ``solutions.pca.PCA`` returns it.
    cumulative_variance_explained : ndarray of shape (k,)
        Ending at exactly 1.0.

    Notes
    -----
    With centred X (n_images, n_units) = U S Vt, the eigenvalues of the small Gram matrix X Xt (or Xt X when
    there are fewer units than images) are S**2: the same spectrum as the SVD at a fraction of its cost when
    the layer has thousands of units and the lesson has 160 images. Rounding can leave eigenvalues of about
    -1e-13 x the largest where the true value is 0; they are set to 0.
    """
    data = as_float_array(data_matrix, name="data_matrix", min_ndim=2, max_ndim=2).astype(np.float64)
    n_images, n_units = data.shape
    if n_images < 2:
        raise ValueError(f"data_matrix needs at least 2 images (rows) to have a variance, got shape {data.shape}.")
    centred = data - data.mean(axis=0)  # centre each unit over images
    gram = centred @ centred.T if n_images <= n_units else centred.T @ centred  # (k, k), eigenvalues S**2
    return _spectrum_from_gram(gram, n_images)


def spectra_by_units(stored_units,
                     unit_counts: Sequence[int]) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """The PCA spectrum of the first k units of a layer's stored random draw, for each k it has.

    Parameters
    ----------
    stored_units : ndarray of shape (n_images, n_stored_units)
        A layer's responses on a nested random draw of units (the bank's ``pca_activations(layer, n_units=...)``).
    unit_counts : increasing numbers of units; counts above n_stored_units are left out.

    Returns
    -------
    One ``(n_units, variance_explained, cumulative_variance_explained)`` per usable count, as
    ``variance_spectrum(stored_units[:, :n_units])`` gives them.

    Notes
    -----
    Centring works unit by unit, so the Gram matrix of the first k centred units is a running sum over units:
    G(k) = sum over u < k of x_u x_ut, one pass for all the counts.
    """
    data = as_float_array(stored_units, name="stored_units", min_ndim=2, max_ndim=2)
    n_images, n_stored = data.shape
    if n_images < 2:
        raise ValueError(f"stored_units needs at least 2 images (rows) to have a variance, got shape {data.shape}.")
    counts = sorted({int(count) for count in unit_counts if 0 < int(count) <= n_stored})
    results, gram, done = [], np.zeros((n_images, n_images)), 0
    for n_units in counts:
        if n_units < n_images:  # fewer units than images: the small Gram matrix is the other one
            variance, cumulative = variance_spectrum(data[:, :n_units])
        else:
            block = data[:, done:n_units].astype(np.float64)
            block -= block.mean(axis=0)  # centre each unit over images
            gram += block @ block.T  # (n_images, n_images)
            done = n_units
            variance, cumulative = _spectrum_from_gram(gram, n_images)
        results.append((n_units, variance, cumulative))
    return results


def _spectrum_from_gram(gram: np.ndarray, n_images: int) -> tuple[np.ndarray, np.ndarray]:
    variance = np.clip(np.linalg.eigvalsh(gram)[::-1], 0, None) / (n_images - 1)  # S**2 / (n - 1), descending
    total = variance.sum()
    if total == 0:
        raise ValueError("data_matrix has no variance: every image (row) gets the same response.")
    cumulative = np.cumsum(variance) / total
    cumulative[-1] = 1.0
    return variance, cumulative
