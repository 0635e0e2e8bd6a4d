"""Compare what a submission returned with the reference: shape, then NaN pattern, then values (pure numpy)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Output", "Tolerance", "Verdict", "compare", "describe_output", "same_values", "sign_fixed"]


@dataclass(frozen=True)
class Output:
    """What a function returned, as the parent sees it after reading the child's .npy files."""

    kind: str  # "array" | "number" | "sequence" | "rejected"
    type_name: str  # "numpy.ndarray", "int", "numpy.int64", "tuple", "list", "torch.Tensor", ...
    array: np.ndarray | None = None  # for "array" and "number" (0-d)
    items: tuple[Output, ...] = ()  # for "sequence"
    why: str = ""  # for "rejected": why it cannot be accepted
    shape: tuple[int, ...] | None = None  # for "rejected" arrays whose shape is known


@dataclass(frozen=True)
class Tolerance:
    """How close counts as equal, per exercise. Values pass when |got - expected| <= atol + rtol * |expected|."""

    atol: float = 1e-6
    rtol: float = 0.0
    relative_to_max: bool = False  # atol is a fraction of the largest |expected| (variances)
    component_atol: float = 1e-3  # PCA components, entry by entry after matching the sign
    gap: float = 1e-3  # PCA: variances closer than gap * largest form one cluster (compared as a subspace)
    null: float = 1e-6  # PCA: variances below null * largest span the null space (only orthonormality checked)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""
    details: dict = field(default_factory=dict)


def describe_output(output: Output) -> str:
    """'an array of shape (40, 40), dtype float64', 'the int 3', 'a tuple of 3 items', or why it was refused."""
    if output.kind == "array":
        return f"an array of shape {tuple(output.array.shape)}, dtype {output.array.dtype}"
    if output.kind == "number":
        return f"the {output.type_name} {_format(output.array.item())}"
    if output.kind == "sequence":
        return f"a {output.type_name} of {len(output.items)} items"
    if output.type_name == "NoneType":
        return "None (did you forget the `return` statement?)"
    return f"{output.why or 'a ' + output.type_name}"


def compare(kind: str, got: Output, expected, tolerance: Tolerance, *, hidden: bool) -> Verdict:
    """Dispatch on the exercise's output kind: "array", "indices", "count" or "pca"."""
    if kind == "pca":
        return _compare_pca(got, expected, tolerance, hidden=hidden)
    if kind == "count":
        return _compare_count(got, int(expected), hidden=hidden)
    return _compare_array(got, np.asarray(expected), tolerance, hidden=hidden, exact=(kind == "indices"))


def same_values(kind: str, got: Output, expected, tolerance: Tolerance) -> bool:
    """Whether ``got`` matches ``expected`` (used by the hints to recognise a known mistake)."""
    return compare(kind, got, expected, tolerance, hidden=True).passed


def _format(value) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if not np.isfinite(value):
        return str(value)
    return f"{value:.6g}"


def _where(index: tuple[int, ...]) -> str:
    if len(index) == 1:
        return f"entry {index[0]}"
    if len(index) == 2:
        return f"row {index[0]}, column {index[1]}"
    return f"index {index}"


def _scale(difference: float) -> str:
    """How big a difference is, in plain words, without its exact value (hidden cases: the value would give the
    expected result away): 'between 0.01 and 0.1'."""
    if not np.isfinite(difference):
        return "an infinite amount (a division by zero?)"
    if difference >= 1:
        return "more than 1" if difference < 10 else f"more than {10.0 ** int(np.floor(np.log10(difference))):,.0f}"
    exponent = int(np.floor(np.log10(difference))) if difference > 0 else -16
    return f"between {10.0 ** exponent:g} and {10.0 ** (exponent + 1):g}"


def _not_an_array(got: Output, shape: tuple[int, ...]) -> Verdict:
    return Verdict(False, f"got {describe_output(got)}; expected a plain numpy array of shape {shape}.",
                   {"problem": "type"})


def _compare_array(got: Output, expected: np.ndarray, tolerance: Tolerance, *, hidden: bool, exact: bool) -> Verdict:
    shape = tuple(expected.shape)
    if got.kind != "array":
        return _not_an_array(got, shape)
    array = got.array
    if exact and array.dtype.kind not in "iu":
        return Verdict(False, f"expected integer indices, got an array of dtype {array.dtype}: "
                              "return positions as integers (for example np.asarray(indices, dtype=int)).",
                       {"problem": "dtype"})
    if tuple(array.shape) != shape:
        note = " (the transpose of the expected shape)" if array.ndim == 2 and array.shape[::-1] == shape else ""
        return Verdict(False, f"got shape {tuple(array.shape)}{note}, expected {shape}.", {"problem": "shape"})
    if exact:
        wrong = np.flatnonzero(array.ravel() != expected.ravel())
        if wrong.size == 0:
            return Verdict(True)
        position = np.unravel_index(wrong[0], shape)
        wanted = "another value" if hidden else f"{_format(expected[position])}"
        return Verdict(False, f"{wrong.size} of {expected.size} entries differ; first at {_where(position)}: got "
                              f"{_format(array[position])}, expected {wanted}.", {"problem": "values"})
    with np.errstate(all="ignore"):
        return _compare_values(array.astype(np.float64), expected.astype(np.float64), tolerance, hidden=hidden)


def _compare_values(values: np.ndarray, reference: np.ndarray, tolerance: Tolerance, *, hidden: bool) -> Verdict:
    shape = reference.shape
    got_nan, expected_nan = np.isnan(values), np.isnan(reference)
    if not np.array_equal(got_nan, expected_nan):
        position = np.unravel_index(np.flatnonzero((got_nan != expected_nan).ravel())[0], shape)
        if expected_nan[position]:
            text = (f"at {_where(position)} the result should be NaN (undefined: for example the correlation with a "
                    f"constant row), got {_format(values[position])}.")
        else:
            text = f"at {_where(position)} you returned NaN where a number is expected."
        return Verdict(False, f"NaN in the wrong places: {text}", {"problem": "nan"})
    finite = ~expected_nan
    limit = tolerance.atol * (np.nanmax(np.abs(reference)) if tolerance.relative_to_max and reference.size else 1.0)
    allowed = limit + tolerance.rtol * np.abs(reference)
    difference = np.where(finite, np.abs(values - reference), 0.0)
    bad = finite & ~(difference <= allowed)  # also catches inf
    if not bad.any():
        return Verdict(True)
    position = np.unravel_index(np.flatnonzero(bad.ravel())[0], shape)
    worst = np.unravel_index(int(np.argmax(np.where(bad, np.nan_to_num(difference, nan=0.0, posinf=np.inf), -1.0))),
                             shape)
    n_bad = int(bad.sum())
    counted = (f"{n_bad} of {reference.size} values differ from the reference by more than the tolerance "
               f"({float(allowed[position]):.0e})." if n_bad > 1 else
               f"1 of {reference.size} values differs from the reference by more than the tolerance "
               f"({float(allowed[position]):.0e}).")
    where_first = "It is" if n_bad == 1 else "The first is"
    if hidden:
        first = (f"{where_first} at {_where(position)}: you returned {_format(values[position])}, off by "
                 f"{_scale(float(difference[position]))}.")
        largest = f" The largest difference is at {_where(worst)}: {_scale(float(difference[worst]))}."
    else:
        first = (f"{where_first} at {_where(position)}: you returned {_format(values[position])}, the reference is "
                 f"{_format(reference[position])} (a difference of {difference[position]:.3g}).")
        largest = f" The largest difference is {difference[worst]:.3g}, at {_where(worst)}."
    if n_bad == 1 or worst == position:
        largest = " It is also the largest difference." if n_bad > 1 else ""
    return Verdict(False, f"{counted} {first}{largest}", {"problem": "values"})


def _compare_count(got: Output, expected: int, *, hidden: bool) -> Verdict:
    if got.kind == "array" and got.array.ndim == 0:
        got = Output("number", f"0-d array of {got.array.dtype}", got.array)
    if got.kind != "number":
        return Verdict(False, f"got {describe_output(got)}; expected a single int.", {"problem": "type"})
    value = got.array.item()
    if got.array.dtype.kind not in "iu":
        return Verdict(False, f"got {describe_output(got)}; expected an int: return int(...) of your count.",
                       {"problem": "type"})
    if value == expected:
        return Verdict(True)
    direction = "too many" if value > expected else "too few"
    wanted = "a smaller count" if value > expected else "a larger count"
    if not hidden:
        wanted = str(expected)
    return Verdict(False, f"got {value} ({direction}), expected {wanted}.", {"problem": "values"})


def _compare_pca(got: Output, expected, tolerance: Tolerance, *, hidden: bool) -> Verdict:
    components, variance, cumulative = (np.asarray(part) for part in expected)
    names = ("components", "variance_explained", "cumulative_variance_explained")
    if got.kind != "sequence" or len(got.items) != 3:
        return Verdict(False, f"got {describe_output(got)}; expected a tuple of 3 arrays.", {"problem": "type"})
    for name, item, part in zip(names, got.items, (components, variance, cumulative)):
        if item.kind != "array":
            return Verdict(False, f"{name}: {_not_an_array(item, part.shape).message}", {"problem": "type", "part": name})
        if tuple(item.array.shape) != part.shape:
            note = " (the transpose of the expected shape)" if item.array.shape[::-1] == part.shape else ""
            return Verdict(False, f"{name}: got shape {tuple(item.array.shape)}{note}, expected {part.shape}.",
                           {"problem": "shape", "part": name})
        if not np.all(np.isfinite(item.array)):
            return Verdict(False, f"{name}: contains NaN or infinite values.", {"problem": "nan", "part": name})
    variance_tolerance = Tolerance(atol=tolerance.atol, rtol=tolerance.rtol, relative_to_max=True)
    for name, item, part, rule in ((names[1], got.items[1], variance, variance_tolerance),
                                   (names[2], got.items[2], cumulative, Tolerance(atol=tolerance.atol))):
        verdict = _compare_array(item, part, rule, hidden=hidden, exact=False)
        if not verdict.passed:
            return Verdict(False, f"{name}: {verdict.message}", {**verdict.details, "part": name})
    message = _check_components(got.items[0].array.astype(np.float64), components, variance, tolerance)
    if message:
        return Verdict(False, f"components: {message}", {"problem": "values", "part": names[0]})
    return Verdict(True)


def _clusters(variance: np.ndarray, tolerance: Tolerance) -> list[list[int]]:
    """Indices grouped by (near-)equal variance; the null space (variance ~ 0) is left out."""
    largest = float(variance.max()) if variance.size else 0.0
    clusters: list[list[int]] = []
    for index, value in enumerate(variance):
        if value <= tolerance.null * largest:
            break
        if clusters and variance[clusters[-1][-1]] - value < tolerance.gap * largest:
            clusters[-1].append(index)
        else:
            clusters.append([index])
    return clusters


def _check_components(got: np.ndarray, expected: np.ndarray, variance: np.ndarray, tolerance: Tolerance) -> str:
    gram = got @ got.T  # (k, k): the identity for orthonormal rows
    off = np.abs(gram - np.eye(len(gram)))
    if off.max() > tolerance.component_atol:
        row, column = np.unravel_index(np.argmax(off), off.shape)
        if row == column:
            return f"row {row} has length {np.sqrt(gram[row, row]):.4g}; each component must be a unit vector."
        return f"rows {min(row, column)} and {max(row, column)} are not orthogonal (dot product {gram[row, column]:.3g})."
    for cluster in _clusters(variance, tolerance):
        if len(cluster) == 1:
            index = cluster[0]
            sign = 1.0 if got[index] @ expected[index] >= 0 else -1.0
            difference = np.abs(sign * got[index] - expected[index])
            if difference.max() > tolerance.component_atol:
                unit = int(np.argmax(difference))
                return (f"component {index} points in another direction than the reference (compared up to sign): "
                        f"at feature {unit} got {sign * got[index, unit]:.4g} after matching the sign, expected a value "
                        f"within {tolerance.component_atol:g} of the reference; yours is off by "
                        f"{_scale(float(difference[unit]))}.")
        else:  # equal variances: only the subspace they span is defined
            overlap = np.linalg.svd(got[cluster] @ expected[cluster].T, compute_uv=False)
            if overlap.min() < 1 - tolerance.component_atol:
                return (f"components {cluster[0]} to {cluster[-1]} have (nearly) equal variance, so only the subspace "
                        "they span is defined, and yours spans a different one.")
    return ""


def sign_fixed(array: np.ndarray) -> np.ndarray:
    """Each row multiplied by the sign of its largest entry (PCA components are defined up to sign)."""
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2 or array.size == 0:
        return array
    pivots = np.argmax(np.abs(array), axis=1)
    signs = np.sign(array[np.arange(len(array)), pivots])
    return array * np.where(signs == 0, 1, signs)[:, None]
