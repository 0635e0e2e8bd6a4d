"""Hidden variants of the edge cases: each input moved by a drawn change that keeps what the case checks.

A variant keeps its case's shape, dtype, and the property it is about (constant rows stay constant, ties stay
ties, a value exactly at the threshold stays exactly at it, the first ``per_class`` candidates of a class stay
the same images in the same order, ...), so an implementation passes or fails a variant as it does the public
case; but the numbers (and mostly the expected outputs) differ, so answers copied from the public fixtures fail.
Expected outputs are never derived here: the reference solutions compute them on the variant's inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from grader.cases.case import Case, frozen

__all__ = ["hidden_variant", "riffle"]


def _like(values, template) -> np.ndarray:
    """``values`` in the dtype of ``template`` (float32 inputs stay float32)."""
    return frozen(np.asarray(values).astype(np.asarray(template).dtype, copy=False))


def _gain(rng) -> float:
    """A positive scale with few mantissa bits: a constant row stays exactly constant, an exact value exact."""
    return float(rng.choice([0.5, 0.75, 1.25, 1.5, 2.0]))


def _offset(rng, low: float = -2.0, high: float = 2.0) -> float:
    """A multiple of 1/8: sums of a few of them (a mean over a constant row) are exact in float32 too."""
    return float(rng.choice(np.arange(low, high + 0.0625, 0.125)))


def _similarity(rng, activations):
    # (n_images, ...) -> same shape: images and units permuted, a positive gain and an offset (Pearson keeps them)
    values = np.asarray(activations, dtype=np.float64)
    images = rng.permutation(len(values))
    flat = values.reshape(len(values), -1)[images][:, rng.permutation(values[0].size)]
    return (_like(flat.reshape(values.shape) * _gain(rng) + _offset(rng), activations),)


def _lower(rng, matrix):
    return (_like(np.asarray(matrix, dtype=np.float64) * _gain(rng), matrix),)  # zeros stay zeros


def _spearman(rng, matrix):
    # rows and observations permuted, an increasing map (ranks, ties and constant rows unchanged)
    values = np.asarray(matrix, dtype=np.float64)[rng.permutation(len(matrix))][:, rng.permutation(np.shape(matrix)[1])]
    return (_like(values * _gain(rng) + _offset(rng), matrix),)


def _second_order(rng, matrices):
    # the same images reordered in every layer (P M P^T); a list's layers reordered, a dict's order kept (it is what
    # the dict case checks: insertion order, not sorted names)
    items = list(matrices.values()) if isinstance(matrices, Mapping) else list(matrices)
    images = rng.permutation(len(items[0]))

    def move(matrix):
        return _like(np.asarray(matrix)[np.ix_(images, images)], matrix)

    if isinstance(matrices, Mapping):
        return ({key: move(matrix) for key, matrix in matrices.items()},)
    return (type(matrices)(move(items[index]) for index in rng.permutation(len(items))),)


def _pca(rng, data):
    # samples and features permuted, features' signs flipped, one global gain (variances scale by its square)
    values = np.asarray(data, dtype=np.float64)[rng.permutation(len(data))]
    features = rng.permutation(np.shape(data)[1])
    signs = rng.choice([-1.0, 1.0], size=len(features))
    return (_like(values[:, features] * signs * _gain(rng), data),)


def _components(rng, curve, threshold=None):
    # an increasing map of [0, 1] onto itself that keeps the threshold (and 1) where they are
    t = 0.8 if threshold is None else float(threshold)
    values = np.asarray(curve, dtype=np.float64)
    low, high = rng.uniform(0.6, 1.6), rng.uniform(0.6, 1.6)
    with np.errstate(all="ignore"):
        below = t * (values / t) ** low
        above = t + (1 - t) * ((values - t) / (1 - t)) ** high if t < 1 else values
    mapped = np.where(values <= t, below, above)
    mapped = np.where(values == t, t, np.where(values == 1.0, 1.0, mapped))
    return (_like(mapped, curve),), ({} if threshold is None else {"threshold": threshold})


def _redness(rng, images):
    # images and pixels permuted (each channel alike), a gain and an offset on every channel: redness scales
    values = np.asarray(images, dtype=np.float64)[rng.permutation(len(images))]
    values = values[:, :, rng.permutation(values.shape[2])][:, :, :, rng.permutation(values.shape[3])]
    return (_like(values * rng.choice([0.5, 0.75]) + _offset(rng, 0.0, 0.25), images),)


def riffle(rng, labels) -> np.ndarray:
    """A new position for each item: the classes' sequences merged at random, every class's items kept in their
    order and the classes first appearing in the same order as before."""
    labels = np.asarray(labels)
    first_seen = list(dict.fromkeys(labels.tolist()))
    queues = {label: list(np.flatnonzero(labels == label)) for label in first_seen}
    started, merged = 0, []
    while len(merged) < len(labels):
        choices = [label for label in first_seen[:started] if queues[label]]
        if started < len(first_seen):
            choices.append(first_seen[started])  # the next class may start (only after those before it)
        weights = np.array([len(queues[label]) for label in choices], dtype=float)
        label = choices[int(rng.choice(len(choices), p=weights / weights.sum()))]
        started += started < len(first_seen) and label == first_seen[started]
        merged.append(queues[label].pop(0))
    new_position = np.empty(len(labels), dtype=np.int64)
    new_position[merged] = np.arange(len(labels))
    return new_position


def _extrema(rng, redness, labels, **kwargs):
    position = riffle(rng, labels)  # item i moves to position[i]
    values, classes = np.asarray(redness, dtype=np.float64), np.asarray(labels)
    moved_values, moved_labels = np.empty_like(values), np.empty_like(classes)
    moved_values[position], moved_labels[position] = values, classes
    values, classes = moved_values, moved_labels
    return (_like(values * _gain(rng) + _offset(rng), redness), frozen(classes)), kwargs


_VARIANTS = {"get_similarity_matrix": _similarity, "extract_lower_tri_entries": _lower, "spearman_corrcoef": _spearman,
             "second_order_similarity": _second_order, "PCA": _pca, "components_to_reach": _components,
             "redness": _redness, "pick_redness_extrema": _extrema}


def hidden_variant(exercise_name: str, case: Case, rng: np.random.Generator) -> Case:
    """The hidden variant of an edge case (``expected`` and ``signatures`` left empty, to be computed)."""
    moved = _VARIANTS[exercise_name](rng, *case.args, **case.kwargs)
    args, kwargs = moved if len(moved) == 2 and isinstance(moved[1], dict) else (moved, dict(case.kwargs))
    return replace(case, args=tuple(args), kwargs=kwargs, hidden=True, expected=None, signatures={})
