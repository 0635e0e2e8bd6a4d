"""Reference redness and extrema selection on constructed images and labels."""

import numpy as np
import pytest
import torch

from solutions.stimuli import pick_redness_extrema, redness


def test_redness_of_pure_colours_and_grey():
    images = np.zeros((4, 3, 2, 2))
    images[0, 0] = 1.0  # pure red: 1 - 0
    images[1, 1] = 1.0  # pure green: 0 - 0.5
    images[2] = 0.5  # grey
    images[3, 2] = 1.0  # pure blue: 0 - 0.5
    np.testing.assert_allclose(redness(images), [1.0, -0.5, 0.0, -0.5])


def test_redness_averages_over_pixels_and_accepts_torch():
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(3, 3, 5, 4)).astype(np.float32)
    expected = [img[0].mean() - (img[1].mean() + img[2].mean()) / 2 for img in images.astype(np.float64)]
    np.testing.assert_allclose(redness(torch.from_numpy(images)), expected, rtol=1e-6)


def test_redness_rejects_channels_last_with_a_fix():
    with pytest.raises(ValueError, match="transpose"):
        redness(np.zeros((2, 8, 8, 3)))


def test_extrema_order_per_class():
    # class 0: redness 0..11 in shuffled positions; class 1: negative values
    red = np.array([5, 0, 11, 3, 8, 1, 10, 2, 9, 4, 7, 6, -1, -5, -3, -2, -4, -6], dtype=float)
    labels = np.array([0] * 12 + [1] * 6)
    picked = pick_redness_extrema(red, labels, per_class=12, n_extreme=3)
    assert list(red[picked]) == [11, 10, 9, 0, 1, 2, -1, -2, -3, -6, -5, -4]


def test_extrema_only_considers_the_first_per_class_images():
    red = np.array([1, 2, 3, 4, 100, -100], dtype=float)
    labels = np.zeros(6, dtype=int)
    picked = pick_redness_extrema(red, labels, per_class=4, n_extreme=1)
    assert list(picked) == [3, 0]


def test_extrema_with_string_labels_takes_classes_in_sorted_order():
    red = np.array([0.1, 0.2, 0.9, 0.8])
    labels = np.array(["zebra", "zebra", "ant", "ant"])
    assert list(pick_redness_extrema(red, labels, per_class=2, n_extreme=1)) == [2, 3, 1, 0]


def test_extrema_rejects_too_small_classes():
    with pytest.raises(ValueError, match="needs at least"):
        pick_redness_extrema(np.arange(3.0), np.zeros(3), per_class=40, n_extreme=5)
