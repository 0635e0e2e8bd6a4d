"""What the numbers show when no known mistake matches: a relation between the wrong and the expected output, in words.

Each relation (grader.judging.relations) is checked on every failing case's actual arrays with the exercise's
tolerance; one is stated only when it holds on every failing case where it can be tested. Across cases: a result
that stays the same when only one argument changes ignores that argument.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from grader.judging.compare import Output, Tolerance, compare, same_values
from grader.judging.relations import VALUE_RELATIONS, Finding, Pair, Sizes, dtype_relation
from grader.judging.shape_relations import SHAPE_RELATIONS

if TYPE_CHECKING:
    from grader.cases.case import Case
    from grader.registry import Exercise
    from grader.running.outcomes import CaseOutcome

__all__ = ["explain_failures", "case_sizes"]

_MAX_VALUES = 100_000  # outputs larger than this (PCA components on the bank) are not examined: not testable there
# In this order: the first relation that holds on every failing case where it can be tested is the one stated.
_RELATIONS = (dtype_relation, *SHAPE_RELATIONS, *VALUE_RELATIONS)
_PCA_PARTS = ("components", "variance_explained", "cumulative_variance_explained")


def _shape(value) -> tuple[int, ...]:
    return tuple(np.shape(value))


def case_sizes(exercise_name: str, args: tuple, kwargs: Mapping) -> Sizes:
    """The sizes of a case's inputs, named as the lesson names them, most telling first."""
    first = _shape(args[0]) if args and not isinstance(args[0], (dict, list, tuple)) else ()
    if exercise_name == "get_similarity_matrix" and len(first) >= 2:
        return (("n_images", first[0]), ("n_units", int(np.prod(first[1:])))) + tuple(
            (f"axis {axis} of the input", length) for axis, length in enumerate(first[1:], 1) if len(first) > 2)
    if exercise_name == "extract_lower_tri_entries" and len(first) == 2:
        n = first[0]
        return (("n", n), ("n·(n−1)/2", n * (n - 1) // 2), ("n·(n+1)/2", n * (n + 1) // 2), ("n·(n−1)", n * (n - 1)),
                ("n·n", n * n))
    if exercise_name == "spearman_corrcoef" and len(first) == 2:
        return (("n_rows", first[0]), ("n_columns", first[1]))
    if exercise_name == "second_order_similarity" and args:
        layers = list(args[0].values()) if isinstance(args[0], Mapping) else list(args[0])
        n = _shape(layers[0])[0] if layers and _shape(layers[0]) else 0
        return (("n_layers", len(layers)), ("n_images", n), ("n_images·(n_images−1)/2", n * (n - 1) // 2))
    if exercise_name == "PCA" and len(first) == 2:
        return (("k", min(first)), ("n_samples", first[0]), ("n_features", first[1]))
    if exercise_name == "components_to_reach" and len(first) == 1:
        return (("k", first[0]),)
    if exercise_name == "redness" and len(first) == 4:
        return (("n_images", first[0]), ("n_channels", first[1]), ("height", first[2]), ("width", first[3]),
                ("height·width", first[2] * first[3]))
    if exercise_name == "pick_redness_extrema" and len(args) >= 2:
        labels = np.asarray(args[1])
        n_classes, n_extreme = len(np.unique(labels)), int(kwargs.get("n_extreme", 5))
        return (("n_images", len(labels)), ("n_classes", n_classes), ("per_class", int(kwargs.get("per_class", 40))),
                ("n_extreme", n_extreme), ("2·n_extreme", 2 * n_extreme), ("n_classes·n_extreme", n_classes * n_extreme),
                ("n_classes·2·n_extreme", 2 * n_classes * n_extreme))
    return ()


def _square_inputs(args: tuple) -> tuple[np.ndarray, ...]:
    first = args[0] if args else None
    if isinstance(first, np.ndarray) and first.ndim == 2 and first.shape[0] == first.shape[1]:
        return (np.asarray(first, dtype=np.float64),)
    return ()


def _pair(exercise: Exercise, case: Case, got: Output) -> tuple[str, Pair] | None:
    """The array of ``got`` to examine (for PCA the first part that fails) beside the expected one, or None."""
    sizes, squares = case_sizes(exercise.name, case.args, case.kwargs), _square_inputs(case.args)
    tolerance = exercise.tolerance
    if exercise.output == "pca":
        if got.kind != "sequence" or len(got.items) != 3:
            return None
        rules = (Tolerance(atol=tolerance.component_atol),
                 Tolerance(atol=tolerance.atol, rtol=tolerance.rtol, relative_to_max=True), Tolerance(atol=tolerance.atol))
        if all(item.kind == "array" for item in got.items) and got.items[0].array.size > _MAX_VALUES:
            # large components are not examined: only a failing variance or cumulative part is (cheap to find)
            part = next((_PCA_PARTS[index] for index in (1, 2)
                         if not same_values("array", got.items[index], case.expected[index], rules[index])), None)
        else:
            part = compare("pca", got, case.expected, tolerance, hidden=True).details.get("part")
        if part not in _PCA_PARTS:
            return None
        index = _PCA_PARTS.index(part)
        item, expected = got.items[index], np.asarray(case.expected[index], dtype=np.float64)
        if item.kind != "array":
            return None
        array = item.array
        return f"{part}: ", Pair(array, expected, rules[index], False, sizes, squares, rows_up_to_sign=index == 0)
    if exercise.output == "count":
        if got.kind not in ("number", "array") or np.ndim(got.array) != 0:
            return None
        return "", Pair(np.atleast_1d(got.array), np.atleast_1d(np.asarray(case.expected)), Tolerance(atol=0.5), True,
                        sizes, squares)
    if got.kind != "array":
        return None
    return "", Pair(got.array, np.asarray(case.expected), tolerance, exercise.output == "indices", sizes, squares)


def _count_offset(pair: Pair) -> list[Finding] | None:
    difference = int(pair.got[0]) - int(pair.expected[0])
    if pair.got.dtype.kind not in "iu" or difference == 0:
        return None
    more = "more" if difference > 0 else "less"
    return [Finding(f"count {difference:+d}", f"your count is always {abs(difference)} {more} than the right one.")]


def _holding(findings_per_case: Sequence[list[Finding] | None]) -> Finding | None:
    """The first finding whose key every testable case shares (None if no case could test it, or they disagree)."""
    testable = [findings for findings in findings_per_case if findings is not None]
    if not testable:
        return None
    shared = set.intersection(*({finding.key for finding in findings} for findings in testable))
    return next((finding for finding in testable[0] if finding.key in shared), None)


def _relation_sentence(exercise: Exercise, failing: Sequence[tuple[Case, Output]]) -> str:
    pairs = [pair for pair in (_pair(exercise, case, got) for case, got in failing) if pair is not None]
    pairs = [(prefix, pair) for prefix, pair in pairs if pair.got.size <= _MAX_VALUES and pair.expected.size <= _MAX_VALUES]
    if not pairs or len({prefix for prefix, _ in pairs}) > 1:
        return ""
    relations = (_count_offset,) if exercise.output == "count" else _RELATIONS
    for relation in relations:
        with np.errstate(all="ignore"):
            finding = _holding([relation(pair) for _, pair in pairs])
        if finding is not None:
            return f"{pairs[0][0]}{finding.sentence}"
    return ""


def _same_inputs(first, second) -> bool:
    if first is second:
        return True
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return _shape(first) == _shape(second) and np.array_equal(np.asarray(first), np.asarray(second))
    if isinstance(first, Mapping) and isinstance(second, Mapping):
        return list(first) == list(second) and all(_same_inputs(first[key], second[key]) for key in first)
    if isinstance(first, (list, tuple)) and isinstance(second, (list, tuple)):
        return len(first) == len(second) and all(_same_inputs(a, b) for a, b in zip(first, second))
    return type(first) is type(second) and first == second


def _raw(output: Output):
    """What ``output`` holds, as an expected value would be given (an array, a number, a tuple of arrays)."""
    if output.kind == "sequence":
        return tuple(_raw(item) for item in output.items)
    return output.array


def _ignored_argument(exercise: Exercise, ran: Sequence[tuple[Case, Output, bool]]) -> str:
    """Pairs of cases with the same inputs but one or more arguments changed: the same result for both ignores them."""
    verdicts: dict[tuple[str, ...], list[tuple[bool, str]]] = {}
    for index, (case, got, passed) in enumerate(ran):
        for other, other_got, other_passed in ran[index + 1:]:
            if passed and other_passed or not _same_inputs(case.args, other.args):
                continue
            changed = tuple(sorted(key for key in {*case.kwargs, *other.kwargs}
                                   if key not in case.kwargs or key not in other.kwargs
                                   or not _same_inputs(case.kwargs[key], other.kwargs[key])))
            if not changed or got.kind == "rejected" or other_got.kind == "rejected":
                continue
            kind, tolerance = exercise.output, exercise.tolerance
            if same_values(kind, _as_output(case.expected), other.expected, tolerance):
                continue  # the right answers agree: this pair cannot show it
            same = (other_got.kind != "sequence" or kind == "pca") and same_values(kind, got, _raw(other_got), tolerance)
            verdicts.setdefault(changed, []).append((same, f"'{case.name}' and '{other.name}'"))
    for changed, results in verdicts.items():
        if results and all(same for same, _ in results):
            names = " and ".join(f"`{name}`" for name in changed)
            return (f"your result is the same whatever {names} {'is' if len(changed) == 1 else 'are'}: the cases "
                    f"{results[0][1]} differ only in {names} and expect different results, but yours are identical. "
                    f"Use the argument{'s' if len(changed) > 1 else ''} instead of a fixed value.")
    return ""


def _as_output(value) -> Output:
    if isinstance(value, tuple):
        return Output("sequence", "tuple", items=tuple(_as_output(item) for item in value))
    array = np.asarray(value)
    return Output("number" if array.ndim == 0 else "array", "numpy.ndarray", array)


def explain_failures(exercise: Exercise, judged: Sequence[tuple[Case, CaseOutcome, bool]]) -> str:
    """One sentence saying which relation holds between the student's outputs and the expected ones, or "".

    ``judged`` holds each case with its outcome and whether it passed.
    """
    ran = [(case, outcome.output, passed) for case, outcome, passed in judged
           if outcome.status == "returned" and outcome.output is not None and case.expected is not None]
    if all(passed for _, _, passed in ran):
        return ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # polyfit's RankWarning, overflow in a factor: not the student's concern
            sentence = _ignored_argument(exercise, ran)
            return sentence or _relation_sentence(exercise, [(case, got) for case, got, passed in ran if not passed])
    except Exception:  # noqa: BLE001 (an output too odd to relate: the message stays as it is, grading goes on)
        return ""
