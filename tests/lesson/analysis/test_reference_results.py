"""Reference analyses kept on disk equal a fresh computation and are reused."""

import numpy as np

import lesson.analysis.reference_results
from lesson.analysis.reference_results import reference_results
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

    monkeypatch.setattr(lesson.analysis.reference_results, "_compute", no_recompute)
    again = reference_results(bank)
    np.testing.assert_array_equal(again.second_order, results.second_order)
    # The pitfall makes conv1 and relu1 identical; the correct extraction does not.
    assert again.pitfall_second_order[0, 1] > again.second_order[0, 1]


def test_pitfall_matrices_show_the_in_place_relu_bug(bank):
    from lesson.analysis.reference_results import pitfall_similarity
    from solutions.rsa import get_similarity_matrix

    buggy = pitfall_similarity(bank)

    sources = dict(zip(bank.layer_paths, bank.pitfall_sources))
    assert sources["features.0"] == "features.1" and sources["classifier.1"] == "classifier.2"
    assert sources["features.2"] == "features.2" and sources["classifier.6"] == "classifier.6"
    assert bank.pitfall_activations("features.0").min() == 0.0
    conv1, relu1 = bank.layer_paths.index("features.0"), bank.layer_paths.index("features.1")
    np.testing.assert_allclose(buggy[conv1], buggy[relu1], atol=1e-12)
    correct_conv1 = get_similarity_matrix(bank.rsa_activations("features.0"))
    assert np.abs(correct_conv1 - buggy[conv1]).max() > 1e-3
