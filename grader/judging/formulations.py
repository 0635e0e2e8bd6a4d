"""Mistaken (and correct) formulations in plain numpy, for the hints: each rebuilds what a known mistake returns."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["rows", "cosine", "pearson", "ranks", "lower", "matrices", "pca", "pca_parts", "pick", "first_reaching",
           "redness", "sorted_layers_second_order"]

# Inputs are the grader's own case inputs: no validation; everything in float64.


def rows(activations) -> np.ndarray:
    activations = np.asarray(activations, dtype=np.float64)
    return activations.reshape(len(activations), -1)


def cosine(vectors: np.ndarray) -> np.ndarray:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit @ unit.T


def pearson(vectors: np.ndarray) -> np.ndarray:
    return cosine(vectors - vectors.mean(axis=1, keepdims=True))


def ranks(values: np.ndarray, method: str = "average") -> np.ndarray:
    """Ranks 1..k within each row; ``method`` decides ties: average, ordinal, min, max or dense."""
    values = np.asarray(values, dtype=np.float64)
    result = np.empty_like(values)
    for index, row in enumerate(values):
        order = np.argsort(row, kind="stable")
        ordinal = np.empty(len(row))
        ordinal[order] = np.arange(1, len(row) + 1)
        if method == "ordinal":
            result[index] = ordinal
            continue
        _, inverse, counts = np.unique(row, return_inverse=True, return_counts=True)
        ends = np.cumsum(counts)
        starts = ends - counts + 1
        by_method = {"average": (starts + ends) / 2, "min": starts, "max": ends, "dense": np.arange(1, len(counts) + 1)}
        result[index] = by_method[method][inverse]
    return result


def lower(matrix, k: int = -1) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    return matrix[np.tril_indices(len(matrix), k=k)]


def matrices(similarity_matrices) -> list:
    return list(similarity_matrices.values()) if isinstance(similarity_matrices, Mapping) else list(similarity_matrices)


def pca(data, *, centre: str | None = "columns", ddof: int = 1, power: float = 2, cumulative: str = "normalised",
        standardise: bool = False, full: bool = False):
    data = np.asarray(data, dtype=np.float64)
    if centre == "columns":
        data = data - data.mean(axis=0)
    elif centre == "rows":
        data = data - data.mean(axis=1, keepdims=True)
    if standardise:
        data = data / data.std(axis=0, ddof=1)
    _, singular_values, axes = np.linalg.svd(data, full_matrices=full)
    variance = singular_values**power / max(len(data) - ddof, 1)
    running = {"normalised": np.cumsum(variance) / variance.sum(), "fraction": variance / variance.sum(),
               "raw": np.cumsum(variance)}[cumulative]
    return axes, variance, running


def pca_parts(data, **changes):
    components, variance, running = pca(data)
    parts = {"components": components, "variance": variance, "cumulative": running, **changes}
    return parts["components"], parts["variance"], parts["cumulative"]


def pick(redness, labels, per_class=40, n_extreme=5, *, classes="sorted", candidates="first", reddest="stable",
         least="ascending", red_first=True, positions="global"):
    redness, labels = np.asarray(redness, dtype=np.float64), np.asarray(labels)
    order_of_classes = np.unique(labels) if classes == "sorted" else list(dict.fromkeys(labels.tolist()))
    picked = []
    for label in order_of_classes:
        members = np.flatnonzero(labels == label)
        members = members[:per_class] if candidates == "first" else members
        values = redness[members]
        if reddest == "stable":
            descending = np.argsort(-values, kind="stable")
        else:  # an ascending sort read backwards: ties come out reversed
            descending = np.argsort(values, kind="stable")[::-1]
        top = descending[:n_extreme]
        bottom = np.argsort(values, kind="stable")[:n_extreme] if least == "ascending" else descending[-n_extreme:]
        if reddest == "ascending":
            top = top[::-1]
        blocks = (top, bottom) if red_first else (bottom, top)
        for block in blocks:
            picked.extend(block if positions == "local" else members[block])
    return np.asarray(picked, dtype=np.int64)


def first_reaching(cumulative, threshold, strict=False, never=None) -> int:
    """Index of the first value reaching the threshold; ``never`` when none does (default: the last index)."""
    cumulative = np.asarray(cumulative, dtype=np.float64)
    reached = np.flatnonzero(cumulative > threshold if strict else cumulative >= threshold)
    return int(reached[0]) if reached.size else (len(cumulative) - 1 if never is None else never)


def redness(images, red=lambda r, g, b: r - (g + b) / 2, axes=(2, 3), channel_axis=1, reduce=np.mean):
    images = np.asarray(images, dtype=np.float64)
    red_channel, green, blue = (np.take(images, index, axis=channel_axis) for index in range(3))
    axes = tuple(axis - (axis > channel_axis) for axis in axes)
    return red(reduce(red_channel, axis=axes), reduce(green, axis=axes), reduce(blue, axis=axes))


def sorted_layers_second_order(similarity_matrices):
    """Layers taken in sorted key order instead of the dict's order (None for a list)."""
    if not isinstance(similarity_matrices, Mapping):
        return None
    ordered = [similarity_matrices[key] for key in sorted(similarity_matrices)]
    return pearson(ranks(np.stack([lower(m) for m in ordered])))
