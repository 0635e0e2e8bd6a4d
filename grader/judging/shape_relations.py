"""Relations between a wrong array and the expected one of another shape (reshaped, a subset or superset, axes named by
the input's sizes), in words."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import numpy as np

from grader.judging.relations import Finding, Pair, Relation, Sizes

__all__ = ["SHAPE_RELATIONS", "shape_in_words"]

_MAX_MATCHED = 100_000  # values matched one by one (subset, superset) at most


def shape_in_words(shape: tuple[int, ...], sizes: Sizes) -> list[str]:
    """Every way of naming each axis by a size of the case: (6, 6) -> ["(n_units, n_units)"]; [] if one has no name."""
    choices = [[name for name, size in sizes if size == length] for length in shape]
    if not all(choices):
        return []
    return [f"({', '.join(names)}{',' if len(names) == 1 else ''})" for names in list(product(*choices))[:24]]


def _noun(name: str) -> str:
    """n_images -> "image": what one entry along an axis of that size stands for."""
    return {"n_images": "image", "n_units": "unit", "n_rows": "row", "n_columns": "column", "n_layers": "layer",
            "n_samples": "sample", "n_features": "feature", "n_classes": "class", "n_channels": "colour channel",
            "height": "pixel row", "width": "pixel column"}.get(name, name)


def _reshaped(pair: Pair) -> list[Finding] | None:
    """The right values in the right order, in another shape (transposed, or reshaped: not flattened, say)."""
    got, expected = pair.got, pair.expected
    if got.shape == expected.shape:
        return None
    findings = []
    theirs, ours = shape_in_words(got.shape, pair.sizes), shape_in_words(expected.shape, pair.sizes)
    named = f" {theirs[0]}" if theirs else ""
    wanted = f" {ours[0]}" if ours else ""
    if got.ndim == 2 and got.shape[::-1] == expected.shape and pair.close(got.T, expected):
        findings.append(Finding("transposed shape", f"your result is the expected one transposed: shape "
                                                    f"{got.shape}{named} instead of {expected.shape}{wanted}."))
    if got.size == expected.size and pair.close(got.reshape(expected.shape), expected):
        findings.append(Finding("reshaped", f"your values are the right ones in the right order, but in shape {got.shape}"
                                            f"{named} instead of {expected.shape}{wanted}: reshape (or flatten) them."))
    return findings


def _named_shape(pair: Pair) -> list[Finding] | None:
    """A shape whose axes the input's sizes name: one axis per unit instead of per image, an extra or a missing axis."""
    got, expected = pair.got, pair.expected
    if got.shape == expected.shape or got.size == 0:
        return None
    findings = []
    for theirs, ours in product(shape_in_words(got.shape, pair.sizes), shape_in_words(expected.shape, pair.sizes)):
        got_names, expected_names = theirs[1:-1].rstrip(",").split(", "), ours[1:-1].rstrip(",").split(", ")
        if len(got_names) == len(expected_names) == 1:
            clause = f"{got_names[0]} values where {expected_names[0]} are expected"
        elif len(got_names) == len(expected_names):
            swaps = {(mine, right) for mine, right in zip(got_names, expected_names) if mine != right}
            if len(swaps) != 1:
                continue
            ((mine, right),) = swaps
            axes = sum(name == mine for name in got_names)
            square = axes == 2 and len(got_names) == 2
            what = "one row and one column" if square else f"{axes} ax{'es' if axes > 1 else 'is'}"
            clause = f"{what} per {_noun(mine)} where one per {_noun(right)} is expected"
        elif len(got_names) == len(expected_names) + 1:
            extra = [i for i in range(len(got_names)) if got_names[:i] + got_names[i + 1:] == expected_names]
            if not extra:
                continue
            clause = (f"an extra axis {extra[0]} of length {got.shape[extra[0]]} ({got_names[extra[0]]}): combine or "
                      "average over it")
        elif len(got_names) + 1 == len(expected_names):
            gone = [i for i in range(len(expected_names)) if expected_names[:i] + expected_names[i + 1:] == got_names]
            if not gone:
                continue
            clause = f"no axis for {expected_names[gone[0]]}: you reduced or summed over an axis that must stay"
        else:
            continue
        findings.append(Finding(f"shape {theirs} for {ours}", f"your result has shape {got.shape}, that is {theirs}, "
                                                             f"where {expected.shape} = {ours} is expected: {clause}."))
    return findings


def _greedy_match(values: np.ndarray, pool: np.ndarray, close: Callable) -> list[int] | None:
    """For sorted 1-D ``values``, indices of distinct close entries of sorted ``pool`` (None when one has none)."""
    taken, start = [], 0
    for value in values:
        while start < len(pool) and pool[start] < value and not close(value, pool[start]):
            start += 1
        if start == len(pool) or not close(value, pool[start]):
            return None
        taken.append(start)
        start += 1
    return taken


def _subset(pair: Pair) -> list[Finding] | None:
    """Fewer values, all among the expected ones; or more, including all of them (and which: the diagonal, repeats)."""
    got, expected = pair.got.ravel().astype(np.float64), pair.expected.ravel().astype(np.float64)
    if got.size == expected.size or pair.got.ndim != pair.expected.ndim or max(got.size, expected.size) > _MAX_MATCHED:
        return None
    if np.isnan(got).any() or np.isnan(expected).any():
        return None
    scale = pair.tolerance.atol * (np.abs(expected).max() if pair.tolerance.relative_to_max and expected.size else 1)

    def close(a, b):
        return abs(a - b) <= scale + pair.tolerance.rtol * abs(b)

    small, large = sorted((got, expected), key=len)
    taken = _greedy_match(np.sort(small), np.sort(large), close)
    if taken is None:
        return []
    theirs, ours = shape_in_words((got.size,), pair.sizes), shape_in_words((expected.size,), pair.sizes)
    counted = f" ({theirs[0][1:-2]} where {ours[0][1:-2]} are expected)" if theirs and ours else ""
    if got.size < expected.size:
        return [Finding("subset", f"your {got.size} values are all among the {expected.size} expected ones{counted}, "
                                  f"but {expected.size - got.size} of the expected ones are missing.")]
    extra = np.delete(np.sort(large), taken)
    whats = []  # the most specific first; the plain "superset" holds for all
    for matrix in pair.square_inputs:
        if extra.size == len(matrix) and _greedy_match(np.sort(np.diagonal(matrix)), extra, close) is not None:
            whats.append(("diagonal", f"the {extra.size} values of the diagonal (included where only entries off it "
                                      "belong)"))
    if _greedy_match(extra, np.sort(expected), close) is not None:
        whats.append(("repeated", f"{extra.size} more that repeat expected values (both triangles of a symmetric "
                                  "matrix?)"))
    whats.append(("superset", f"{extra.size} more"))
    return [Finding(key, f"your {got.size} values include all {expected.size} expected ones{counted}, plus {what}.")
            for key, what in whats]


# In the order they are tried (the first that holds is stated).
SHAPE_RELATIONS: tuple[Relation, ...] = (_reshaped, _subset, _named_shape)
