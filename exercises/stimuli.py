"""Exercises: describing and ordering stimuli by colour: redness and its extremes per class.

Implement each function below; the docstring is the contract the grader checks.
Run `python -m grader --exercise NAME` or press Check in the app to test your work.
"""

from __future__ import annotations

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
    # Useful: images.mean(axis=(2, 3)) gives one mean per image and channel.
    raise NotImplementedError("redness is not implemented yet: see page 1 (Network and images) of the lesson.")


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
    # Useful: np.unique(labels), np.flatnonzero(labels == label)[:per_class], np.argsort(..., kind='stable').
    raise NotImplementedError(
        "pick_redness_extrema is not implemented yet: see page 1 (Network and images) of the lesson.")
