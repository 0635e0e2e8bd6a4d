"""The reference analyses of a bank (first- and second-order similarity, PCA spectra), computed once and kept on disk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lesson.atomic import write_atomic
from lesson.references import reference

__all__ = ["ReferenceResults", "reference_results"]

_FILE = "reference.npz"


@dataclass(frozen=True)
class ReferenceResults:
    first_order: np.ndarray  # (n_layers, n_rsa, n_rsa) Pearson similarity of the RSA images
    second_order: np.ndarray  # (n_layers, n_layers) Spearman similarity of the first-order matrices
    pitfall_second_order: np.ndarray  # (n_layers, n_layers) the same from the buggy (un-copied) extraction
    variance_explained: np.ndarray  # (n_layers, k) per component, k = min(n_images, pca_units)
    cumulative_variance_explained: np.ndarray  # (n_layers, k)


def _compute(bank) -> ReferenceResults:
    # Imported here: scipy.stats alone takes ~0.8 s to import, and reading the cached results needs none of it.
    get_similarity_matrix = reference("rsa", "get_similarity_matrix", needed_for="the reference analyses")
    second_order_similarity = reference("rsa", "second_order_similarity", needed_for="the reference analyses")

    first_order = np.stack([get_similarity_matrix(bank.rsa_activations(path)) for path in bank.layer_paths])
    from lesson.analysis.beyond import variance_spectrum

    # The reference PCA's variances without its components: eigenvalues of the small (n_images, n_images) Gram
    # matrix instead of an SVD, 10x faster (equal up to rounding; tests/lesson/test_reference.py).
    spectra = [variance_spectrum(bank.pca_activations(path)) for path in bank.layer_paths]
    return ReferenceResults(
        first_order=first_order,
        second_order=second_order_similarity(list(first_order)),
        pitfall_second_order=second_order_similarity(
            [first_order[bank.layer_paths.index(source)] for source in bank.pitfall_sources]),
        variance_explained=np.stack([variance for variance, _ in spectra]),
        cumulative_variance_explained=np.stack([cumulative for _, cumulative in spectra]),
    )


def reference_results(bank) -> ReferenceResults:
    """Load the bank's reference analyses from ``<bank>/reference.npz``, computing and saving them the first time."""
    path = bank.path / _FILE
    if path.is_file():
        with np.load(path, allow_pickle=False) as stored:
            return ReferenceResults(**{name: stored[name] for name in stored.files})
    results = _compute(bank)
    try:
        write_atomic(path, lambda file: np.savez(file, **results.__dict__))  # readers see the whole file or none
    except OSError:
        pass  # a read-only cache still works, it just recomputes next time
    return results


def pitfall_similarity(bank) -> np.ndarray:
    """(n_layers, n_rsa, n_rsa): the reference first-order matrices of the buggy (un-copied) extraction."""
    first_order = reference_results(bank).first_order
    return first_order[[bank.layer_paths.index(source) for source in bank.pitfall_sources]]
