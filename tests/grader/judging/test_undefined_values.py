"""Values the maths leaves undefined are not graded: principal axes of zero variance (any orthonormal completion is
right), axes of equal variance (only their span), and the sign of every axis."""

from __future__ import annotations

import numpy as np

from grader.judging.compare import Output, compare
from grader.registry import exercise
from solutions import PCA


def _pca_output(components, variance, cumulative) -> Output:
    return Output("sequence", "tuple", items=tuple(Output("array", "numpy.ndarray", np.asarray(part))
                                                   for part in (components, variance, cumulative)))


def _rank_two_data() -> np.ndarray:
    """5 samples x 6 features of rank 2 after centring: k = 5 axes, of which 3 have zero variance."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(5, 2)) @ rng.normal(size=(2, 6)) + rng.normal(size=6)


def test_any_orthonormal_completion_of_the_zero_variance_axes_passes():
    item = exercise("PCA")
    expected = PCA(_rank_two_data())
    components, variance, cumulative = (np.array(part) for part in expected)
    assert np.all(variance[2:] < 1e-12 * variance[0])
    rotation = np.linalg.qr(np.random.default_rng(1).normal(size=(3, 3)))[0]
    completed = components.copy()
    completed[2:] = rotation @ components[2:]  # another orthonormal basis of the same null space
    completed[0] *= -1  # and an axis with its sign flipped
    got = _pca_output(completed, variance, cumulative)
    assert compare(item.output, got, expected, item.tolerance, hidden=True).passed
    # a completion that is not orthogonal to the defined axes is wrong
    broken = completed.copy()
    broken[4] = (components[0] + components[4]) / np.sqrt(2)
    verdict = compare(item.output, _pca_output(broken, variance, cumulative), expected, item.tolerance, hidden=True)
    assert not verdict.passed and "not orthogonal" in verdict.message


def test_a_defined_axis_must_still_be_right():
    item = exercise("PCA")
    expected = PCA(_rank_two_data())
    components, variance, cumulative = (np.array(part) for part in expected)
    swapped = components.copy()
    swapped[[0, 1]] = swapped[[1, 0]]  # distinct variances: each axis is defined up to sign
    verdict = compare(item.output, _pca_output(swapped, variance, cumulative), expected, item.tolerance, hidden=True)
    assert not verdict.passed and "component 0" in verdict.message
