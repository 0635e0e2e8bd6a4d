"""Mistaken (and correct) formulations in plain numpy: each rebuilds what a known mistake returns, as its signature.

Course repository only: ``python -m grader release`` and the Gradescope archive leave this file out (it holds
working implementations); the signatures it computes are stored with each case (see ``hints.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["rows", "cosine", "pearson", "ranks", "lower", "matrices", "pca", "pca_parts", "pick", "first_reaching",
           "redness", "sorted_layers_second_order", "MISTAKEN", "signatures", "SIGNATURE_INPUT_LIMIT",
           "SIGNATURE_VALUES_LIMIT"]

SIGNATURE_INPUT_LIMIT = 2_000_000  # signatures are computed for cases whose inputs hold at most this many values
SIGNATURE_VALUES_LIMIT = 2_000  # and kept when they hold at most this many (a bank PCA's components are left out)

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


# The mistaken formulations, by exercise and mistake signature (hints.CATALOGUE holds their hints).
MISTAKEN: dict[str, dict[str, Callable]] = {
    "get_similarity_matrix": {
        "units_not_images": lambda a: np.corrcoef(rows(a), rowvar=False),
        "reshape_mixes_images": lambda a: np.corrcoef(np.asarray(a, dtype=np.float64).reshape(-1, len(a)).T),
        "covariance": lambda a: np.cov(rows(a)),
        "cosine": lambda a: cosine(rows(a)),
        "centred_over_images": lambda a: cosine(rows(a) - rows(a).mean(axis=0)),
        "mixed_ddof": lambda a: np.cov(rows(a)) / np.outer(rows(a).std(axis=1), rows(a).std(axis=1)),
        "mixed_ddof_2": lambda a: np.cov(rows(a), ddof=0) / np.outer(*[rows(a).std(axis=1, ddof=1)] * 2),
        "nan_replaced": lambda a: np.nan_to_num(pearson(rows(a)), nan=0.0),
        "nan_replaced_2": lambda a: np.nan_to_num(pearson(rows(a)), nan=0.0) + np.diag(np.isnan(np.diag(pearson(rows(a))))),
        "ranked": lambda a: pearson(ranks(rows(a))),
    },
    "extract_lower_tri_entries": {
        "with_diagonal": lambda m: lower(m, k=0),
        "k_plus_one": lambda m: lower(m, k=1),
        "upper_triangle": lambda m: np.asarray(m, dtype=np.float64)[np.triu_indices(len(m), k=1)],
        "column_major": lambda m: np.asarray(m, dtype=np.float64).T[np.triu_indices(len(m), k=1)],
        "selected_by_value": lambda m: np.asarray(m, dtype=np.float64)[np.tril(np.asarray(m), -1) != 0],
        "masked_matrix": lambda m: np.tril(np.asarray(m, float), -1),
        "masked_matrix_2": lambda m: np.tril(np.asarray(m, float), -1).ravel(),
    },
    "spearman_corrcoef": {
        "pearson": lambda m: pearson(np.asarray(m, dtype=np.float64)),
        "ordinal_ties": lambda m: pearson(ranks(m, "ordinal")),
        "min_ties": lambda m: pearson(ranks(m, "min")),
        "dense_ties": lambda m: pearson(ranks(m, "dense")),
        "scalar_for_two_rows": lambda m: pearson(ranks(m))[0, 1] if len(m) == 2 else None,
        "scipy_nan_for_constant_row":
            lambda m: np.float64(np.nan) if np.any(np.ptp(np.asarray(m, float), axis=1) == 0) else None,
        "columns_as_variables": lambda m: pearson(ranks(np.asarray(m, dtype=np.float64).T)),
        "ranked_wrong_axis": lambda m: pearson(ranks(np.asarray(m, dtype=np.float64).T).T),
        "argsort_once": lambda m: pearson(np.argsort(np.asarray(m), axis=1, kind="stable").astype(np.float64)),
    },
    "second_order_similarity": {
        "pearson": lambda s: pearson(np.stack([lower(m) for m in matrices(s)])),
        "whole_matrix": lambda s: pearson(ranks(np.stack([np.asarray(m, float).ravel() for m in matrices(s)]))),
        "with_diagonal": lambda s: pearson(ranks(np.stack([lower(m, k=0) for m in matrices(s)]))),
        "ordinal_ties": lambda s: pearson(ranks(np.stack([lower(m) for m in matrices(s)]), "ordinal")),
        "dict_keys_sorted": sorted_layers_second_order,
        "scalar_for_two_layers":
            lambda s: pearson(ranks(np.stack([lower(m) for m in matrices(s)])))[0, 1] if len(s) == 2 else None,
    },
    "PCA": {
        "not_centred": lambda x: pca(x, centre=None),
        "centred_rows": lambda x: pca(x, centre="rows"),
        "divided_by_n": lambda x: pca(x, ddof=0),
        "not_squared": lambda x: pca(x, power=1),
        "singular_values": lambda x: pca(x, power=1, ddof=len(x) - 1),
        "standardised": lambda x: pca(x, standardise=True),
        "ascending": lambda x: pca_parts(x, variance=pca(x)[1][::-1]),
        "fraction_not_cumulative": lambda x: pca(x, cumulative="fraction"),
        "cumulative_not_normalised": lambda x: pca(x, cumulative="raw"),
        "components_as_columns": lambda x: pca_parts(x, components=pca(x)[0].T),
        "scores_not_axes": lambda x: pca_parts(x, components=np.linalg.svd(np.asarray(x, float) - np.mean(x, axis=0),
                                                                           full_matrices=False)[0]),
        "full_matrices": lambda x: pca(x, full=True),
    },
    "components_to_reach": {
        "index_not_count": lambda c, threshold=0.8: first_reaching(c, threshold),
        "strict": lambda c, threshold=0.8: first_reaching(c, threshold, strict=True) + 1,
        "strict_2": lambda c, threshold=0.8: first_reaching(c, threshold, strict=True, never=0) + 1,
        "strict_index": lambda c, threshold=0.8: first_reaching(c, threshold, strict=True),
        "ignores_threshold": lambda c, threshold=0.8: first_reaching(c, 0.8) + 1 if threshold != 0.8 else None,
        "summed_again": lambda c, threshold=0.8: first_reaching(np.cumsum(c), threshold) + 1,
        "counted_reaching": lambda c, threshold=0.8: int(np.sum(np.asarray(c) >= threshold)),
    },
    "redness": {
        "channels_last": lambda x: redness(x, axes=(1, 2), channel_axis=3),
        "minus_sum": lambda x: redness(x, red=lambda r, g, b: r - g - b),
        "green_only": lambda x: redness(x, red=lambda r, g, b: r - g),
        "blue_only": lambda x: redness(x, red=lambda r, g, b: r - b),
        "blue_for_red": lambda x: redness(x, red=lambda r, g, b: b - (g + r) / 2),
        "sign": lambda x: -redness(x),
        "sums": lambda x: redness(x, reduce=np.sum),
        "ratio": lambda x: redness(x, red=lambda r, g, b: r / (g + b)),
        "wrong_axes": lambda x: np.asarray(x, float).mean(axis=(1, 2)),
    },
    "pick_redness_extrema": {
        "least_red_descending": lambda *a, **k: pick(*a, **k, least="descending"),
        "all_candidates": lambda *a, **k: pick(*a, **k, candidates="all"),
        "least_red_first": lambda *a, **k: pick(*a, **k, red_first=False),
        "positions_in_class": lambda *a, **k: pick(*a, **k, positions="local"),
        "ties_reversed": lambda *a, **k: pick(*a, **k, reddest="reversed"),
        "reddest_ascending": lambda *a, **k: pick(*a, **k, reddest="ascending"),
        "classes_by_appearance": lambda *a, **k: pick(*a, **k, classes="appearance"),
    },
}


def _input_size(value) -> int:
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, Mapping):
        return sum(_input_size(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_input_size(item) for item in value)
    return 1


def signatures(exercise, case) -> dict:
    """Each known mistake's output on ``case`` (its expected output filled in), where it differs from that output:
    the ``signatures`` a case is stored with. Empty for inputs larger than SIGNATURE_INPUT_LIMIT."""
    from grader.judging.hints import distinguishes

    if _input_size((case.args, case.kwargs)) > SIGNATURE_INPUT_LIMIT:
        return {}
    found = {}
    for mistake in exercise.mistakes:
        produce = MISTAKEN[exercise.name].get(mistake.signature)
        if produce is None:
            continue
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                mistaken = produce(*case.args, **case.kwargs)
                kept = distinguishes(mistake, mistaken, case.expected, exercise.output, exercise.tolerance)
        except Exception:  # noqa: BLE001 (the mistaken formulation does not apply to this input)
            continue
        if kept is not None and np.size(kept) <= SIGNATURE_VALUES_LIMIT:
            found[mistake.signature] = np.asarray(kept)
    return found
