"""Reference solutions for describing and ordering stimuli by colour: redness and its extremes per class."""

from __future__ import annotations

import numpy as np

from solutions._validate import as_float_array

__all__ = ["redness", "pick_redness_extrema"]


def redness(images):
    """How much redder than green and blue each image is, on average.

    Parameters
    ----------
    images : ndarray or torch.Tensor of shape (n_images, 3, height, width)
        RGB images as a person sees them (de-normalised), values in [0, 1].

    Returns
    -------
    redness : ndarray of shape (n_images,)
        Mean of the red channel minus the mean of (mean green, mean blue):
        ``R - (G + B) / 2`` with each channel averaged over all pixels.
        Between -1 and 1; 0 for grey images.
    """
    images = as_float_array(images, name="images", min_ndim=4, max_ndim=4)
    if images.shape[1] != 3:
        raise ValueError(f"images must be (n_images, 3, height, width) with RGB on axis 1, got shape {images.shape}. "
                         "For (n, height, width, 3) use images.transpose(0, 3, 1, 2).")
    channel_means = images.astype(np.float64).mean(axis=(2, 3))  # (n_images, 3)
    red, green, blue = channel_means.T
    return red - (green + blue) / 2


def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
    """Indices of the reddest and least red images of each class, class by class.

    Parameters
    ----------
    redness : ndarray of shape (n_images,)
        The redness of every image.
    labels : ndarray of shape (n_images,)
        The class of every image (integers or strings); classes are taken in
        sorted order of their labels.
    per_class : int, default 40
        Only the first ``per_class`` images of each class (in the given order)
        are candidates.
    n_extreme : int, default 5
        How many of the reddest and of the least red to pick per class.

    Returns
    -------
    indices : ndarray of int of shape (n_classes * 2 * n_extreme,)
        Positions into ``redness``. For each class in turn: its ``n_extreme``
        reddest candidates in descending redness, then its ``n_extreme`` least
        red in ascending redness. Equal redness keeps the original order.
    """
    redness = as_float_array(redness, name="redness", min_ndim=1, max_ndim=1)
    labels = np.asarray(labels.detach().cpu().numpy() if hasattr(labels, "detach") else labels)
    if labels.shape != redness.shape:
        raise ValueError(f"labels must have one entry per image, shape {redness.shape}, got shape {labels.shape}.")
    picked = []
    for label in np.unique(labels):  # sorted class labels
        candidates = np.flatnonzero(labels == label)[:per_class]
        if candidates.size < 2 * n_extreme:
            raise ValueError(f"class {label!r} has {candidates.size} candidate images; picking {n_extreme} reddest "
                             f"and {n_extreme} least red needs at least {2 * n_extreme}.")
        order = candidates[np.argsort(-redness[candidates], kind="stable")]  # reddest first
        least_red = candidates[np.argsort(redness[candidates], kind="stable")][:n_extreme]
        picked.extend(order[:n_extreme])
        picked.extend(least_red)
    return np.asarray(picked, dtype=np.int64)
