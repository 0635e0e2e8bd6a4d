"""Relations between a wrong array and the expected one of the same shape (reordered, scaled, NaN, dtype), in words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np

from grader.judging.compare import Output, Tolerance, same_values, sign_fixed

__all__ = ["Finding", "Pair", "Relation", "Sizes", "dtype_relation", "VALUE_RELATIONS"]

Sizes = Sequence[tuple[str, int]]  # named sizes of a case, most telling first: (("n_images", 4), ("n_units", 6))


@dataclass(frozen=True)
class Finding:
    key: str  # the same key on two cases means the same relation (a factor "n_samples/(n_samples − 1)", not 1.2)
    sentence: str  # for the student, with this case's numbers


@dataclass(frozen=True)
class Pair:
    """A wrong array and the expected one of one case, with what the relations need to know about the case."""

    got: np.ndarray
    expected: np.ndarray
    tolerance: Tolerance
    exact: bool  # indices: equal or not
    sizes: Sizes
    square_inputs: tuple[np.ndarray, ...] = ()  # the case's (n, n) input matrices (their diagonals may be the extra)
    rows_up_to_sign: bool = False  # PCA components: each row is defined up to its sign

    def close(self, candidate, reference) -> bool:
        kind = "indices" if self.exact else "array"
        candidate, reference = np.asarray(candidate), np.asarray(reference)
        if self.exact and candidate.dtype.kind not in "iu":
            return False
        if self.rows_up_to_sign:
            candidate, reference = sign_fixed(candidate), sign_fixed(reference)
        return same_values(kind, Output("array", "numpy.ndarray", candidate), reference, self.tolerance)


_MAX_ROWS = 500  # rows matched one by one (a permutation of rows) at most

Relation = Callable[[Pair], "list[Finding] | None"]  # None: cannot be tested on this case; []: does not hold


def dtype_relation(pair: Pair) -> list[Finding] | None:
    """Booleans or integers where floats are expected (indices are judged by the comparison itself)."""
    if pair.exact:
        return None
    kind = pair.got.dtype.kind
    if kind == "b":
        return [Finding("dtype:bool", f"your result holds booleans (dtype {pair.got.dtype}) where numbers are "
                                      "expected: a comparison such as `x > 0` gives True/False, not values.")]
    if kind not in "iu":
        return []
    said = f"your result has integer dtype {pair.got.dtype} where floating-point values are expected."
    general = Finding("dtype:int", f"{said} Integer arithmetic or an integer array loses the fractions: work in floats "
                                   "(np.asarray(x, dtype=float)).")
    if pair.got.shape == pair.expected.shape and pair.close(pair.got, np.trunc(pair.expected)):
        return [Finding("dtype:int:truncated", f"{said} Your values are the expected ones with their decimals cut off: "
                                               "the array you filled was created with an integer dtype "
                                               "(np.zeros(..., dtype=int), or np.zeros_like of an integer array)."),
                general]
    return [general]


def _nan_pattern(pair: Pair) -> list[Finding] | None:
    got, expected = pair.got.astype(np.float64), pair.expected.astype(np.float64)
    if got.shape != expected.shape or np.array_equal(np.isnan(got), np.isnan(expected)):
        return None
    extra, missing = np.isnan(got) & ~np.isnan(expected), ~np.isnan(got) & np.isnan(expected)
    rest = ~np.isnan(got) & ~np.isnan(expected)
    right = pair.close(np.where(rest, got, 0.0), np.where(rest, expected, 0.0))
    elsewhere = " Everywhere else your values are right." if right and rest.any() else ""
    rows = np.flatnonzero(np.isnan(expected).reshape(len(expected), -1).all(axis=1)) if expected.ndim else []
    where = f" (rows and columns {', '.join(map(str, rows))}, where the value is undefined)" if (
        expected.ndim == 2 and len(rows) and not extra.any()) else ""
    if missing.any() and not extra.any():
        filled = np.unique(got[missing])
        value = f"you put {filled[0]:g} there" if filled.size == 1 else "you put numbers there"
        said = f"where NaN is expected{where}, {value}: leave NaN there (no nan_to_num, no epsilon)."
        return _with_and_without(f"nan missing:{value}", said, right, elsewhere)
    if extra.any() and not missing.any():
        diagonal = expected.ndim == 2 and expected.shape[0] == expected.shape[1] and np.array_equal(
            extra, np.eye(len(extra), dtype=bool) & ~np.isnan(expected))
        findings = _with_and_without("nan diagonal", "your diagonal is NaN, where a value is defined (an image's "
                                     "correlation with itself is 1).", right, elsewhere) if diagonal else []
        if np.isnan(got).all():
            findings.append(Finding("nan all", "every value is NaN (a division by zero, or one NaN spreading to all?)."))
        return findings + _with_and_without("nan extra", f"{int(extra.sum())} values are NaN where a number is "
                                            "defined (a division by zero?).", right, elsewhere)
    return []


def _with_and_without(key: str, sentence: str, right: bool, elsewhere: str) -> list[Finding]:
    """The finding with "everywhere else right" when that holds, then without it (for cases where it does not)."""
    return ([Finding(f"{key}:right", sentence + elsewhere)] if right and elsewhere else []) + [Finding(key, sentence)]


def _reordering(key: str, move: Callable[[np.ndarray], np.ndarray | None], sentence: str) -> Relation:
    """A relation "the expected values moved by ``move``", testable where moving them changes something."""

    def relation(pair: Pair) -> list[Finding] | None:
        if pair.got.shape != pair.expected.shape or pair.expected.size < 2:
            return None
        moved = move(pair.expected)
        if moved is None or moved.shape != pair.expected.shape or pair.close(moved, pair.expected):
            return None  # this case cannot tell the order apart
        return [Finding(key, sentence)] if pair.close(pair.got, moved) else []

    return relation


_ORDERS = (
    _reordering("transposed", lambda e: e.T if e.ndim == 2 else None,
                "your result is the expected one transposed (rows and columns swapped)."),
    _reordering("reversed both", lambda e: e[::-1, ::-1] if e.ndim == 2 else None,
                "your result is the expected one with rows and columns in reverse order (the inputs taken last to first?)."),
    _reordering("reversed rows", lambda e: e[::-1] if e.ndim == 2 else None,
                "your rows are the expected ones in reverse order."),
    _reordering("reversed", lambda e: e[::-1] if e.ndim == 1 else None,
                "your values are the expected ones in reverse order."),
    _reordering("sorted ascending", lambda e: np.sort(e) if e.ndim == 1 else None,
                "your values are the expected ones sorted in ascending order (as np.sort, np.unique, np.flatnonzero or "
                "a boolean mask give them); keep them in the order the contract gives."),
    _reordering("sorted descending", lambda e: np.sort(e)[::-1] if e.ndim == 1 else None,
                "your values are the expected ones sorted in descending order; keep them in the order the contract gives."),
)


def _permuted_rows(pair: Pair) -> list[Finding] | None:
    """The rows (and, for a square result, the columns with them) in another order, or the same values reshuffled."""
    got, expected = pair.got, pair.expected
    if got.shape != expected.shape or expected.size < 2:
        return None
    flat_got, flat_expected = np.sort(got.ravel().astype(float)), np.sort(expected.ravel().astype(float))
    if not pair.close(flat_got, flat_expected):
        return []
    general = Finding("permuted", "your result holds exactly the expected values, in another order.")
    if expected.ndim == 2 and len(expected) <= _MAX_ROWS:
        order = _row_order(pair, square=expected.shape[0] == expected.shape[1])
        if order is not None:
            both = " and columns" if expected.shape[0] == expected.shape[1] else ""
            moved = next((row for row, origin in enumerate(order) if row != origin), 0)
            return [Finding("permuted rows", f"your rows{both} are the expected ones in another order (your row {moved} "
                                             f"is the expected row {order[moved]}): the order of the inputs was not "
                                             "kept."), general]
    return [general]


def _permuted_blocks(pair: Pair) -> list[Finding] | None:
    """Picked positions: each class's block of 2·n_extreme right, the classes in another order."""
    block = dict(pair.sizes).get("2·n_extreme", 0)
    got, expected = pair.got, pair.expected
    if not block or got.shape != expected.shape or expected.ndim != 1 or len(expected) % block or len(expected) == block:
        return None
    mine, right = [tuple(row) for row in got.reshape(-1, block)], [tuple(row) for row in expected.reshape(-1, block)]
    if sorted(mine) != sorted(right):
        return []
    return [Finding("classes permuted", "each class's positions are right, but the classes come in another order: "
                                        "take them in sorted label order, as np.unique(labels) gives them.")]


def _row_order(pair: Pair, *, square: bool) -> list[int] | None:
    got, expected = pair.got.astype(float), pair.expected.astype(float)
    order, free = [], list(range(len(expected)))
    for row in range(len(got)):
        match = next((j for j in free if pair.close(np.sort(got[row]), np.sort(expected[j]))), None)
        if match is None:
            return None
        order.append(match)
        free.remove(match)
    moved = expected[order][:, order] if square else expected[order]
    return order if pair.close(got, moved) else None


_FACTORS = ((2.0, "2"), (0.5, "1/2"), (100.0, "100"), (0.01, "1/100"), (3.0, "3"), (1 / 3, "1/3"))


def _factor_names(factor: float, sizes: Sizes) -> list[tuple[float, str]]:
    return [(value, name) for value, name in _candidate_values(sizes) if abs(factor - value) <= 1e-3 * abs(value)]


def _scaled(pair: Pair) -> list[Finding] | None:
    got, expected = pair.got.astype(np.float64), pair.expected.astype(np.float64)
    if pair.exact or got.shape != expected.shape:
        return None
    finite = np.isfinite(got) & np.isfinite(expected)
    if finite.sum() < 2 or np.ptp(expected[finite]) == 0 or not np.array_equal(np.isnan(got), np.isnan(expected)):
        return None
    slope, offset = np.polyfit(expected[finite], got[finite], 1)
    findings = []
    if pair.close(got, -expected):
        findings.append(Finding("sign", "every value has the opposite sign of the expected one (a subtraction the "
                                        "wrong way round?)."))
    for value, name in _factor_names(slope, pair.sizes):
        if pair.close(got, value * expected):
            named = name if name[0].isdigit() and "/" not in name else f"{name} = {value:.4g}"
            note = " (a percentage instead of a fraction?)" if value == 100 else ""
            findings.append(Finding(f"factor {name}", f"every value is {named} times the expected one{note}."))
    if abs(slope - 1) > 1e-3 and abs(slope) > 1e-6 and pair.close(got, slope * expected):  # any constant factor
        findings.append(Finding(f"factor {slope:.3g}", f"every value is {slope:.4g} times the expected one."))
    if pair.close(got, expected + offset) and abs(slope - 1) <= 1e-3:
        findings.append(Finding(f"offset {offset:.3g}", f"every value is the expected one {'+' if offset > 0 else '−'} "
                                                        f"{abs(offset):.4g}."))
    if pair.close(got, 1 - expected):
        findings.append(Finding("one minus", "every value is 1 − the expected one (a dissimilarity, 1 − r, instead "
                                             "of the similarity r?)."))
    return findings


def _candidate_values(sizes: Sizes) -> list[tuple[float, str]]:
    """Factors worth naming: plain constants first, then ones built from the case's sizes (n/(n − 1), ...)."""
    values = list(_FACTORS)
    for name, n in sizes:
        if n >= 2:
            values += [(n / (n - 1), f"{name}/({name} − 1)"), ((n - 1) / n, f"({name} − 1)/{name}"), (n, name),
                       (1 / n, f"1/{name}"), (n - 1, f"({name} − 1)"), (1 / (n - 1), f"1/({name} − 1)")]
    for (first, n), (second, m) in product(sizes, sizes):
        if first < second and n >= 2 and m >= 2:
            values += [(n * m, f"{first}·{second}"), (1 / (n * m), f"1/({first}·{second})")]
    return values


# The value relations in the order they are tried (the first that holds is stated).
VALUE_RELATIONS: tuple[Relation, ...] = (_nan_pattern, *_ORDERS, _permuted_blocks, _permuted_rows, _scaled)
