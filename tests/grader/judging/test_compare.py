"""Comparisons: shape, then NaN pattern, then values; PCA up to sign and only where variances are separated."""

from __future__ import annotations

import numpy as np
import pytest

from grader.judging.compare import Output, Tolerance, compare, describe_output


def array(values) -> Output:
    return Output("array", "numpy.ndarray", np.asarray(values))


def number(value, type_name="int") -> Output:
    return Output("number", type_name, np.asarray(value))


def test_shape_is_checked_first_and_a_transpose_is_named():
    verdict = compare("array", array(np.zeros((3, 2))), np.zeros((2, 3)), Tolerance(), hidden=True)
    assert not verdict.passed
    assert verdict.message == "got shape (3, 2) (the transpose of the expected shape), expected (2, 3)."


def test_nan_pattern_both_ways():
    expected = np.array([[1.0, np.nan], [np.nan, np.nan]])
    verdict = compare("array", array([[1.0, 0.0], [0.0, 0.0]]), expected, Tolerance(), hidden=True)
    assert not verdict.passed and "should be NaN" in verdict.message and "row 0, column 1" in verdict.message
    verdict = compare("array", array([[np.nan, np.nan], [np.nan, np.nan]]), expected, Tolerance(), hidden=True)
    assert "you returned NaN where a number is expected" in verdict.message
    assert compare("array", array(expected.copy()), expected, Tolerance(), hidden=True).passed


def test_hidden_cases_never_show_the_expected_value():
    expected = np.array([[1.0, 0.3811], [0.3811, 1.0]])
    got = array([[1.0, 0.4123], [0.4123, 1.0]])
    hidden = compare("array", got, expected, Tolerance(atol=1e-4), hidden=True).message
    visible = compare("array", got, expected, Tolerance(atol=1e-4), hidden=False).message
    assert "0.3811" not in hidden and "0.4123" in hidden and "row 0, column 1" in hidden
    assert "tolerance (1e-04)" in hidden and "off by between 0.01 and 0.1" in hidden
    assert "the reference is 0.3811 (a difference of 0.0312)" in visible


def test_the_largest_difference_is_given_with_its_place():
    expected = np.zeros((3, 3))
    got = expected.copy()
    got[0, 1], got[2, 0] = 0.01, 0.75
    visible = compare("array", array(got), expected, Tolerance(atol=1e-4), hidden=False).message
    hidden = compare("array", array(got), expected, Tolerance(atol=1e-4), hidden=True).message
    assert visible.startswith("2 of 9 values differ") and "The first is at row 0, column 1" in visible
    assert "The largest difference is 0.75, at row 2, column 0." in visible
    assert "The largest difference is at row 2, column 0: between 0.1 and 1." in hidden and "0.75" not in hidden
    assert "1e0" not in visible + hidden


def test_tolerance_edges_and_infinite_values():
    expected = np.array([0.5, 0.25])
    assert compare("array", array(expected + 0.9e-5), expected, Tolerance(atol=1e-5), hidden=True).passed
    assert not compare("array", array(expected + 1.1e-5), expected, Tolerance(atol=1e-5), hidden=True).passed
    verdict = compare("array", array([np.inf, 0.25]), expected, Tolerance(atol=1e-5), hidden=True)
    assert not verdict.passed and "infinite" in verdict.message


def test_anything_but_a_plain_array_is_refused():
    rejected = Output("rejected", "list", why="a list of 3 items")
    verdict = compare("array", rejected, np.zeros(3), Tolerance(), hidden=True)
    assert not verdict.passed and verdict.message == "got a list of 3 items; expected a plain numpy array of shape (3,)."
    assert "forget the `return`" in describe_output(Output("rejected", "NoneType"))
    assert not compare("array", number(0.5, "float"), np.zeros((2, 2)), Tolerance(), hidden=True).passed


def test_indices_compare_exactly_and_must_be_integers():
    assert compare("indices", array(np.array([3, 1, 2])), np.array([3, 1, 2]), Tolerance(), hidden=True).passed
    verdict = compare("indices", array(np.array([3.0, 1.0, 2.0])), np.array([3, 1, 2]), Tolerance(), hidden=True)
    assert not verdict.passed and "integer" in verdict.message
    verdict = compare("indices", array(np.array([3, 2, 1])), np.array([3, 1, 2]), Tolerance(), hidden=True)
    assert "2 of 3 entries differ; first at entry 1: got 2, expected another value." == verdict.message


@pytest.mark.parametrize("got, passed", [(number(3), True), (number(np.int64(3), "numpy.int64"), True),
                                         (array(np.array(3)), True), (number(3.0, "float"), False),
                                         (number(4), False), (array(np.array([3])), False)])
def test_counts_are_exact_ints(got, passed):
    assert compare("count", got, 3, Tolerance(), hidden=True).passed is passed


def test_count_messages_give_a_direction_but_not_the_answer_when_hidden():
    assert compare("count", number(5), 3, Tolerance(), hidden=True).message == "got 5 (too many), expected a smaller count."
    assert compare("count", number(2), 3, Tolerance(), hidden=False).message == "got 2 (too few), expected 3."


def _pca(data):
    centred = data - data.mean(axis=0)
    _, singular_values, components = np.linalg.svd(centred, full_matrices=False)
    variance = singular_values**2 / (len(data) - 1)
    return components, variance, np.cumsum(variance) / variance.sum()


def _as_output(components, variance, cumulative) -> Output:
    return Output("sequence", "tuple", items=(array(components), array(variance), array(cumulative)))


RULE = Tolerance(atol=1e-5, rtol=1e-4, component_atol=1e-3, gap=1e-3, null=1e-6)


def test_pca_components_are_compared_up_to_sign():
    data = np.random.default_rng(0).normal(size=(30, 4)) * [4, 2, 1, 0.5]
    components, variance, cumulative = _pca(data)
    flipped = components * np.array([[-1], [1], [-1], [1]])
    assert compare("pca", _as_output(flipped, variance, cumulative), (components, variance, cumulative), RULE,
                   hidden=True).passed
    swapped = components[[1, 0, 2, 3]]
    verdict = compare("pca", _as_output(swapped, variance, cumulative), (components, variance, cumulative), RULE,
                      hidden=True)
    assert not verdict.passed and "component 0 points in another direction" in verdict.message


def test_pca_equal_variances_compare_the_subspace_and_the_null_space_only_orthonormality():
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    circle = np.column_stack([np.cos(angles), np.sin(angles), np.zeros(12), np.zeros(12)])  # rank 2 in 4-D
    components, variance, cumulative = _pca(circle)
    rotation = np.array([[np.cos(0.7), -np.sin(0.7)], [np.sin(0.7), np.cos(0.7)]])
    rotated = components.copy()
    rotated[:2] = rotation @ components[:2]  # any orthonormal basis of the plane is right
    rotated[2:] = np.array([[0, 0, 0, 1.0], [0, 0, 1.0, 0]])  # any basis of the null space too
    assert compare("pca", _as_output(rotated, variance, cumulative), (components, variance, cumulative), RULE,
                   hidden=True).passed
    wrong_plane = rotated.copy()
    wrong_plane[[1, 2]] = wrong_plane[[2, 1]]
    verdict = compare("pca", _as_output(wrong_plane, variance, cumulative), (components, variance, cumulative), RULE,
                      hidden=True)
    assert not verdict.passed and "spans a different one" in verdict.message


def test_pca_parts_are_checked_in_turn():
    data = np.random.default_rng(1).normal(size=(10, 3)) * [3, 1, 0.2]
    components, variance, cumulative = _pca(data)
    expected = (components, variance, cumulative)
    verdict = compare("pca", _as_output(components, variance * 10 / 9, cumulative), expected, RULE, hidden=True)
    assert verdict.message.startswith("variance_explained: 3 of 3 values differ")
    verdict = compare("pca", _as_output(components * 2, variance, cumulative), expected, RULE, hidden=True)
    assert "unit vector" in verdict.message
    verdict = compare("pca", Output("sequence", "tuple", items=(array(components), array(variance))), expected, RULE,
                      hidden=True)
    assert "expected a tuple of 3 arrays" in verdict.message
