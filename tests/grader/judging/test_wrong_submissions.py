"""Plausible wrong implementations: each must fail, and the hint must name its mistake."""

from __future__ import annotations

import pytest
from grader_helpers import SUBMISSIONS, torch_importable

from grader import grade

WRONG = SUBMISSIONS / "wrong"

# folder, exercise, a substring the exercise's hint must contain
CASES = [
    ("similarity_units_not_images", "get_similarity_matrix", "instead of images"),
    ("similarity_reshape_mixes_images", "get_similarity_matrix", "reshape(-1, n_images) mixes"),
    ("similarity_not_flattened", "get_similarity_matrix", "at most 2-D"),
    ("similarity_covariance", "get_similarity_matrix", "These are covariances"),
    ("similarity_cosine", "get_similarity_matrix", "cosine similarity"),
    ("similarity_centred_over_images", "get_similarity_matrix", "centred each unit over the images"),
    ("similarity_mixed_ddof", "get_similarity_matrix", "different denominators"),
    ("similarity_nan_to_zero", "get_similarity_matrix", "leave NaN"),
    ("lower_with_diagonal", "extract_lower_tri_entries", "diagonal is included"),
    ("lower_upper_triangle", "extract_lower_tri_entries", "upper triangle"),
    ("lower_column_major", "extract_lower_tri_entries", "yours go column by column"),
    ("lower_by_value", "extract_lower_tri_entries", "by their value"),
    ("lower_masked_matrix", "extract_lower_tri_entries", "keeps the (n, n) shape"),
    ("lower_k_plus_one", "extract_lower_tri_entries", "k=1"),
    ("spearman_pearson", "spearman_corrcoef", "rank each row first"),
    ("spearman_ordinal_ties", "spearman_corrcoef", "average of the ranks"),
    ("spearman_scipy_scalar", "spearman_corrcoef", "returns a single number"),
    ("spearman_scipy_constant_row", "spearman_corrcoef", "single NaN as soon as one row is constant"),
    ("spearman_columns", "spearman_corrcoef", "Each row is a variable"),
    ("spearman_argsort_once", "spearman_corrcoef", "apply it twice"),
    ("second_pearson", "second_order_similarity", "not the Pearson"),
    ("second_whole_matrix", "second_order_similarity", "strictly below the diagonal"),
    ("second_with_diagonal", "second_order_similarity", "diagonal is included"),
    ("second_sorted_keys", "second_order_similarity", "insertion order"),
    ("second_scipy_scalar", "second_order_similarity", "returns a single number"),
    ("second_dict_keys", "second_order_similarity", "gives its keys"),
    ("pca_not_centred", "PCA", "Centre each feature"),
    ("pca_centred_rows", "PCA", "centred each sample"),
    ("pca_divided_by_n", "PCA", "not by n_samples"),
    ("pca_not_squared", "PCA", "did not square"),
    ("pca_fraction_not_cumulative", "PCA", "running total"),
    ("pca_components_as_columns", "PCA", "as columns"),
    ("pca_eigh_ascending", "PCA", "ascending order"),
    ("pca_full_matrices", "PCA", "full_matrices=False"),
    ("components_index_not_count", "components_to_reach", "not an index"),
    ("components_strict", "components_to_reach", ">= threshold"),
    ("components_ignores_threshold", "components_to_reach", "threshold argument"),
    ("components_summed_again", "components_to_reach", "already cumulative"),
    ("components_counted_reaching", "components_to_reach", "at or above the threshold"),
    ("redness_channels_last", "redness", "Colour is axis 1"),
    ("redness_minus_sum", "redness", "not G + B"),
    ("redness_green_only", "redness", "not green alone"),
    ("redness_sums", "redness", "you summed"),
    ("redness_sign", "redness", "opposite sign"),
    ("redness_blue_for_red", "redness", "blue channel as red"),
    ("pick_least_red_descending", "pick_redness_extrema", "ascending redness"),
    ("pick_all_candidates", "pick_redness_extrema", "first per_class images"),
    ("pick_least_red_first", "pick_redness_extrema", "reddest first"),
    ("pick_positions_in_class", "pick_redness_extrema", "not positions within the class"),
    ("pick_ties_reversed", "pick_redness_extrema", "keep the original order"),
    ("pick_classes_by_appearance", "pick_redness_extrema", "sorted order of their labels"),
]


def test_every_folder_of_the_corpus_is_listed():
    listed = (folder.name for folder in WRONG.iterdir() if folder.is_dir() and not folder.name.startswith("uncatalogued_"))
    assert sorted(listed) == sorted(  # the uncatalogued_* folders are listed in test_diagnosis.py
        [name for name, _, _ in CASES] + ["similarity_numpy_only_for_tensors", "similarity_returns_tensor"])


@pytest.mark.parametrize(("folder", "exercise", "want"), CASES, ids=[case[0] for case in CASES])
def test_wrong_submission_fails_with_its_hint(small_source, folder, exercise, want):
    report = grade(WRONG / folder, [exercise], source=small_source, time_limit=20, warm=False)
    (result,) = report.exercises
    assert result.attempted and not result.passed, result.message
    assert result.status == "failed", result.message
    assert result.score < result.max_score
    assert want in result.hint, f"hint was {result.hint!r}; message {result.message!r}"
    failing = [case for case in result.cases if not case.passed]
    assert failing and all(case.message for case in failing)


@pytest.mark.skipif(not torch_importable(), reason="torch is not installed")
def test_numpy_only_code_fails_the_torch_case_with_a_hint(tensor_source):
    report = grade(WRONG / "similarity_numpy_only_for_tensors", ["get_similarity_matrix"], source=tensor_source,
                   time_limit=60, warm=False)
    (result,) = report.exercises
    assert not result.passed
    failing = [case for case in result.cases if not case.passed]
    assert [case.name for case in failing] == ["torch: torch tensor"]
    assert "np.asarray" in result.hint
    assert "AttributeError" in failing[0].message and "astype" in failing[0].message


@pytest.mark.skipif(not torch_importable(), reason="torch is not installed")
def test_a_torch_tensor_returned_gets_a_hint(tensor_source):
    report = grade(WRONG / "similarity_returns_tensor", ["get_similarity_matrix"], source=tensor_source,
                   time_limit=60, warm=False)
    (result,) = report.exercises
    failing = [case for case in result.cases if not case.passed]
    assert [case.name for case in failing] == ["torch: torch tensor"]
    assert "returned a torch tensor" in failing[0].hint and ".numpy()" in failing[0].hint
