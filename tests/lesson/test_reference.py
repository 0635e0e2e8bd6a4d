"""Reference analyses kept on disk equal a fresh computation and are reused."""

import numpy as np

import lesson.reference
from lesson.reference import reference_results
from solutions.pca import PCA
from solutions.rsa import get_similarity_matrix


def test_reference_results_match_the_solutions_and_are_reused(bank, monkeypatch):
    results = reference_results(bank)
    assert results.first_order.shape == (21, 40, 40) and results.second_order.shape == (21, 21)
    np.testing.assert_allclose(results.first_order[3], get_similarity_matrix(bank.rsa_activations("features.3")))
    for layer in range(len(bank.layer_paths)):  # the reference PCA's spectrum, up to rounding
        _, variance, cumulative = PCA(bank.pca_activations(bank.layer_paths[layer]))
        np.testing.assert_allclose(results.variance_explained[layer], variance, rtol=1e-9, atol=1e-12 * variance[0])
        np.testing.assert_allclose(results.cumulative_variance_explained[layer], cumulative, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.diag(results.second_order), 1.0)
    assert (bank.path / "reference.npz").is_file()

    def no_recompute(bank):
        raise AssertionError("recomputed instead of reading reference.npz")

    monkeypatch.setattr(lesson.reference, "_compute", no_recompute)
    again = reference_results(bank)
    np.testing.assert_array_equal(again.second_order, results.second_order)
    # The pitfall makes conv1 and relu1 identical; the correct extraction does not.
    assert again.pitfall_second_order[0, 1] > again.second_order[0, 1]
