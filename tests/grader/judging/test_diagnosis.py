"""What the numbers show: each relation stated for a wrong implementation that shows it, never for one that does not,
and the wrong-submission corpus explained (a hint or a diagnosis) for at least 90 % of its submissions."""

from __future__ import annotations

import ast
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from grader_helpers import SUBMISSIONS, SmallSource
from scipy.stats import rankdata

from grader import grade
from grader.judging.compare import Output
from grader.judging.verdicts import judge_exercise
from grader.registry import EXERCISES, exercise
from grader.reports import github_annotations, gradescope_results, junit_xml, render_text, report_to_json, step_summary
from grader.results import CaseResult, ExerciseResult, GradeReport
from grader.running.outcomes import CaseOutcome, TaskOutcome

WRONG = SUBMISSIONS / "wrong"
NAMES = {item.name for item in EXERCISES}


# ---- wrong implementations judged in this process on the exercise's real edge and random cases ----

def _as_output(value) -> Output:
    if isinstance(value, tuple):
        return Output("sequence", "tuple", items=tuple(_as_output(item) for item in value))
    if isinstance(value, (int, np.integer)):
        return Output("number", type(value).__name__, np.asarray(value))
    return Output("array", "numpy.ndarray", np.asarray(value))


def _judge(source, name: str, wrong, *, catalogue: bool = True, extra=None) -> ExerciseResult:
    """``wrong`` run on every small case (and those ``extra`` derives from them); ``catalogue=False``: no known
    mistakes, so that the diagnosis speaks even where a hint would.

    The cases come from the registered exercise whatever ``catalogue`` is: the source caches them by exercise name
    with their mistake signatures, so building them from the catalogue-free copy would cache them without any and
    take every later test's hints away."""
    registered = exercise(name)
    chosen = registered if catalogue else replace(registered, mistakes=())
    cases = [case for case in source.cases(registered, ("edge", "random")) if not case.tensor]
    if extra is not None:
        cases += extra(cases)
    outcomes = []
    for case in cases:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                outcomes.append(CaseOutcome("returned", _as_output(wrong(*case.args, **case.kwargs))))
        except Exception as error:  # noqa: BLE001 (a wrong implementation may raise on some input)
            outcomes.append(CaseOutcome("raised", error=type(error).__name__, traceback=str(error)))
    return judge_exercise(chosen, "submission", [(cases, TaskOutcome("ran", outcomes))])


def _rows(activations):
    return np.asarray(activations, dtype=float).reshape(len(activations), -1)


def _channel_means(images):
    return np.asarray(images, dtype=float).mean(axis=(2, 3))  # (n_images, 3)


def _redness(images, scale=1.0, shift=0.0):
    means = _channel_means(images)
    return scale * (means[:, 0] - (means[:, 1] + means[:, 2]) / 2) + shift


def _lower(matrix, k=-1):
    matrix = np.asarray(matrix, dtype=float)
    return matrix[np.tril_indices(len(matrix), k=k)]


def _pca(data, ddof=1):
    data = np.asarray(data, dtype=float)
    _, singular_values, components = np.linalg.svd(data - data.mean(axis=0), full_matrices=False)
    variance = singular_values**2 / (len(data) - ddof)
    return components, variance, np.cumsum(variance) / variance.sum()


def _count(curve, threshold=0.8):
    return int(np.flatnonzero(np.asarray(curve) >= threshold)[0]) + 1


def _pick(redness, labels, per_class=40, n_extreme=5, classes=None):
    redness, labels = np.asarray(redness, dtype=float), np.asarray(labels)
    picked = []
    for label in np.unique(labels) if classes is None else classes(labels):
        members = np.flatnonzero(labels == label)[:per_class]
        picked.extend(members[np.argsort(-redness[members], kind="stable")[:n_extreme]])
        picked.extend(members[np.argsort(redness[members], kind="stable")[:n_extreme]])
    return np.asarray(picked, dtype=np.int64)


def _threshold_siblings(cases):
    """Each curve again with another threshold: cases that differ only in ``threshold``."""
    return [replace(case, name=f"{case.name}, threshold 0.95", kwargs={"threshold": 0.95}, expected=_count(*case.args,
                    threshold=0.95)) for case in cases if case.group == "edge"]


def _similarity_in_mean_order(activations):
    rows = _rows(activations)
    order = np.argsort(rows.mean(axis=1), kind="stable")
    return np.corrcoef(rows)[order][:, order]


def _blank_diagonal(activations):
    matrix = np.corrcoef(_rows(activations))
    np.fill_diagonal(matrix, np.nan)
    return matrix


# exercise, wrong implementation, catalogue used, a phrase the diagnosis must hold
SHOWS = {
    "transposed": ("PCA", lambda x: (_pca(x)[0].T, *_pca(x)[1:]), False, "expected one transposed"),
    "reversed": ("extract_lower_tri_entries", lambda m: _lower(m)[::-1], True, "in reverse order"),
    "reversed rows and columns": ("second_order_similarity", lambda s: np.corrcoef(rankdata(np.stack(
        [_lower(m) for m in (list(s.values()) if isinstance(s, dict) else list(s))][::-1]), axis=1)), True,
        "rows and columns in reverse order"),
    "sorted": ("extract_lower_tri_entries", lambda m: np.sort(_lower(m)), True, "sorted in ascending order"),
    "permutation of rows": ("get_similarity_matrix", _similarity_in_mean_order, True,
                            "rows and columns are the expected ones in another order"),
    "permutation of classes": ("pick_redness_extrema", lambda *a, **k: _pick(*a, **k, classes=lambda labels: np.unique(
        labels)[::-1]), False, "the classes come in another order"),
    "factor 2": ("redness", lambda x: _redness(x, scale=2.0), True, "every value is 2 times the expected one"),
    "factor (n - 1)/n": ("PCA", lambda x: _pca(x, ddof=0), False,
                         "variance_explained: every value is (n_samples − 1)/n_samples = "),
    "factor n/(n - 1)": ("get_similarity_matrix", lambda a: np.cov(_rows(a)) / np.outer(*[_rows(a).std(axis=1)] * 2),
                         False, "every value is n_units/(n_units − 1) = "),
    "factor 100": ("PCA", lambda x: (*_pca(x)[:2], 100 * _pca(x)[2]), True, "100 times the expected one"),
    "offset": ("redness", lambda x: _redness(x, shift=0.5), True, "every value is the expected one + 0.5"),
    "count offset": ("components_to_reach", lambda c, threshold=0.8: _count(c, threshold) + 2, False,
                     "your count is always 2 more than the right one"),
    "one minus": ("get_similarity_matrix", lambda a: 1 - np.corrcoef(_rows(a)), True, "1 − the expected one"),
    "sign flip": ("redness", lambda x: -_redness(x), False, "opposite sign"),
    "subset": ("extract_lower_tri_entries", lambda m: _lower(np.asarray(m)[:-1, :-1]), True,
               "are all among the"),
    "superset: the diagonal": ("extract_lower_tri_entries", lambda m: _lower(m, k=0), False,
                               "plus the 4 values of the diagonal"),
    "superset: both triangles": ("extract_lower_tri_entries", lambda m: np.asarray(m, float)[~np.eye(len(m), dtype=bool)],
                                 True, "include all 6 expected ones (n·(n−1) where n·(n−1)/2 are expected)"),
    "shape: units, not images": ("get_similarity_matrix", lambda a: np.corrcoef(_rows(a).T), False,
                                 "that is (n_units, n_units), where (4, 4) = (n_images, n_images) is expected: one row "
                                 "and one column per unit where one per image is expected"),
    "shape: an extra axis": ("redness", _channel_means, True, "an extra axis 1 of length 3 (n_channels)"),
    "shape: a missing axis": ("get_similarity_matrix", lambda a: np.corrcoef(_rows(a))[0], True,
                              "no axis for n_images"),
    "shape: not flattened": ("pick_redness_extrema", lambda *a, **k: _pick(*a, **k).reshape(len(np.unique(a[1])), -1),
                             True, "right ones in the right order, but in shape (2, 4) (n_classes, 2·n_extreme)"),
    "integer": ("extract_lower_tri_entries", lambda m: _lower(m).astype(int), True, "integer dtype int64"),
    "boolean": ("get_similarity_matrix", lambda a: np.corrcoef(_rows(a)) > 0, True, "booleans"),
    "a number where NaN is expected": ("spearman_corrcoef", lambda m: np.nan_to_num(np.corrcoef(rankdata(m, axis=1))),
                                       True, "where NaN is expected (rows and columns 1, where the value is undefined), "
                                             "you put 0"),
    "NaN where a number is defined": ("get_similarity_matrix", _blank_diagonal, True, "your diagonal is NaN"),
    "ignores an argument": ("components_to_reach", lambda c, threshold=0.8: _count(c, 0.8), False,
                            "your result is the same whatever `threshold` is"),
}


@pytest.mark.parametrize("relation", list(SHOWS))
def test_a_wrong_implementation_showing_the_relation_gets_its_sentence(small_source, relation):
    name, wrong, catalogue, want = SHOWS[relation]
    extra = _threshold_siblings if relation == "ignores an argument" else None
    result = _judge(small_source, name, wrong, catalogue=catalogue, extra=extra)
    assert not result.passed and result.hint == "", result.hint
    assert want in result.diagnosis, f"diagnosis was {result.diagnosis!r}; message {result.message!r}"


def _some_cases(wrong, right, every=2):
    """``wrong`` on every other case in turn (counted per call), ``right`` on the others."""
    calls = iter(range(10_000))
    return lambda *a, **k: (wrong if next(calls) % every == 0 else right)(*a, **k)


def _noisy(values, seed=0):
    values = np.asarray(values, dtype=float)
    return values + np.random.default_rng(seed).uniform(0.05, 0.2, size=values.shape)


# exercise, a wrong implementation that does not show the relation, phrases its diagnosis must not hold
SHOWS_NOT = {
    "order (reversed on some cases, sorted on others)": (
        "extract_lower_tri_entries", _some_cases(lambda m: _lower(m)[::-1], lambda m: np.sort(_lower(m))[::-1] + 1),
        ("reverse order", "sorted", "another order")),
    "factor (2 on some cases, 3 on others)": (
        "redness", _some_cases(lambda x: _redness(x, 2.0), lambda x: _redness(x, 3.0)), ("times the expected",)),
    "factor (a different one per image)": (
        "redness", lambda x: _redness(x) * np.linspace(1.5, 2.5, len(x)), ("times the expected",)),
    "offset (0.5 on some cases, 0.25 on others)": (
        "redness", _some_cases(lambda x: _redness(x, shift=0.5), lambda x: _redness(x, shift=0.25)),
        ("the expected one +",)),
    "sign (only half the images flipped)": (
        "redness", lambda x: _redness(x) * np.where(np.arange(len(x)) % 2, -1.0, 1.0), ("opposite sign",)),
    "count offset (+1 on some cases, +2 on others)": (
        "components_to_reach", _some_cases(lambda c, threshold=0.8: _count(c, threshold) + 1,
                                           lambda c, threshold=0.8: _count(c, threshold) + 2), ("your count is always",)),
    "subset (one entry missing, one changed)": (
        "extract_lower_tri_entries", lambda m: _noisy(_lower(m)[1:]), ("among the",)),
    "superset (extra entries, one expected missing)": (
        "extract_lower_tri_entries", lambda m: np.asarray(m, float)[~np.eye(len(m), dtype=bool)][1:] + 0.5,
        ("include all",)),
    "shape (an axis no input size explains)": (
        "redness", lambda x: np.stack([_channel_means(x).max(axis=1), _channel_means(x).min(axis=1)], axis=1),
        ("that is (", "reshape", "include all", "among the")),
    "integer (float values, wrong)": ("extract_lower_tri_entries", lambda m: _noisy(_lower(m)), ("dtype",)),
    "NaN (in the right places, other values wrong)": (
        "spearman_corrcoef", lambda m: _noisy(np.corrcoef(rankdata(m, axis=1))), ("NaN",)),
    "ignores an argument (uses it, but wrongly)": (
        "components_to_reach", lambda c, threshold=0.8: _count(c, threshold / 2), ("whatever",)),
    "permutation (other values)": (
        "get_similarity_matrix", lambda a: _noisy(_similarity_in_mean_order(a)), ("another order", "transposed")),
    "transposed (not the transpose)": ("PCA", lambda x: (_noisy(_pca(x)[0].T), *_pca(x)[1:]), ("transposed",)),
}


@pytest.mark.parametrize("relation", list(SHOWS_NOT))
def test_a_wrong_implementation_not_showing_the_relation_gets_no_false_sentence(small_source, relation):
    name, wrong, unwanted = SHOWS_NOT[relation]
    extra = _threshold_siblings if relation.startswith("ignores") else None
    result = _judge(small_source, name, wrong, catalogue=False, extra=extra)
    assert not result.passed
    for phrase in unwanted:
        assert phrase not in result.diagnosis, f"diagnosis was {result.diagnosis!r}"


ODD_OUTPUTS = {
    "refused": Output("rejected", "object", why="an object of type object"),
    "a tuple where an array is expected": Output("sequence", "tuple", items=(Output("array", "numpy.ndarray",
                                                                                   np.zeros(3)),)),
    "empty": Output("array", "numpy.ndarray", np.zeros((0,))),
    "infinite": Output("array", "numpy.ndarray", np.full((4, 4), np.inf)),
    "constant": Output("array", "numpy.ndarray", np.ones((4, 4))),
    "a number": Output("number", "float", np.asarray(0.5)),
    "3-D": Output("array", "numpy.ndarray", np.zeros((4, 4, 1))),
}


@pytest.mark.parametrize("odd", list(ODD_OUTPUTS))
def test_odd_outputs_get_no_false_sentence_and_never_stop_grading(small_source, odd):
    result = _judge(small_source, "get_similarity_matrix", lambda a: ODD_OUTPUTS[odd], catalogue=False)
    assert not result.passed and result.diagnosis == "", result.diagnosis


def test_a_result_of_nothing_but_nan_is_said_so(small_source):
    result = _judge(small_source, "get_similarity_matrix", lambda a: np.full((len(a), len(a)), np.nan), catalogue=False)
    assert result.diagnosis.startswith("every value is NaN"), result.diagnosis


def test_the_lesson_bank_cases_show_an_ignored_per_class_and_n_extreme(reference_source):
    """The two bank cases of pick_redness_extrema differ only in per_class and n_extreme."""
    report = grade(WRONG / "uncatalogued_pick_fixed_sizes", ["pick_redness_extrema"],
                   source=SmallSource(reference_source, groups=("bank",)), time_limit=20, warm=False)
    (result,) = report.exercises
    assert not result.passed and result.hint == ""
    assert "the same whatever `n_extreme` and `per_class` are" in result.diagnosis, result.diagnosis


# ---- the wrong-submission corpus, graded as a student's folder is ----

UNCATALOGUED = {  # folder -> a phrase its diagnosis must hold ("" : none may be claimed)
    "uncatalogued_lower_both_triangles": "include all 6 expected ones",
    "uncatalogued_lower_int_buffer": "decimals cut off",
    "uncatalogued_lower_sorted": "sorted in ascending order",
    "uncatalogued_similarity_dissimilarity": "1 − the expected one",
    "uncatalogued_spearman_nan_to_zero": "you put 0 there",
    "uncatalogued_second_reversed_layers": "rows and columns in reverse order",
    "uncatalogued_pca_percent": "cumulative_variance_explained: every value is 100 times",
    "uncatalogued_redness_doubled": "every value is 2 times the expected one",
    "uncatalogued_redness_channel_means": "(n_images, n_channels)",
    "uncatalogued_pick_sorted_positions": "sorted in ascending order",
    "uncatalogued_pick_per_class_rows": "(n_classes, 2·n_extreme)",
    "uncatalogued_pick_fixed_sizes": "include all",
    "uncatalogued_similarity_rounded": "",
    "uncatalogued_redness_max": "",
    "uncatalogued_pca_cumulative_of_singular_values": "",
}


def _exercise_of(folder) -> str:
    (file,) = folder.glob("*.py")
    defined = {node.name for node in ast.parse(file.read_text()).body if isinstance(node, ast.FunctionDef)}
    (name,) = defined & NAMES
    return name


@pytest.fixture(scope="module")
def corpus(small_source) -> dict[str, ExerciseResult]:
    """Every folder of the wrong corpus graded once on the small cases (the torch-only one left out)."""
    results = {}
    for folder in sorted(path for path in WRONG.iterdir() if path.is_dir()):
        if folder.name == "similarity_numpy_only_for_tensors":  # fails only on the torch case
            continue
        report = grade(folder, [_exercise_of(folder)], source=small_source, time_limit=20, warm=False)
        results[folder.name] = report.exercises[0]
    return results


def test_every_uncatalogued_folder_is_listed():
    assert sorted(path.name for path in WRONG.iterdir() if path.name.startswith("uncatalogued_")) == sorted(UNCATALOGUED)


@pytest.mark.parametrize("folder", list(UNCATALOGUED))
def test_an_uncatalogued_mistake_fails_and_gets_what_the_numbers_show(corpus, folder):
    result = corpus[folder]
    assert not result.passed and result.status == "failed" and result.hint == "", result.hint
    if UNCATALOGUED[folder]:
        assert UNCATALOGUED[folder] in result.diagnosis, f"diagnosis was {result.diagnosis!r}"
    else:
        assert result.diagnosis == "", f"a relation was claimed: {result.diagnosis!r}"


def test_a_hint_or_a_diagnosis_for_at_least_90_percent_of_the_wrong_corpus(corpus, capsys):
    explained = [name for name, result in corpus.items() if result.hint or result.diagnosis]
    share = len(explained) / len(corpus)
    with capsys.disabled():
        print(f"\nwrong-submission corpus: {len(explained)} of {len(corpus)} get a hint or a diagnosis ({share:.1%}); "
              f"hints {sum(bool(r.hint) for r in corpus.values())}, diagnoses "
              f"{sum(bool(r.diagnosis) for r in corpus.values())}; none: "
              f"{sorted(set(corpus) - set(explained))}")
    assert all(not (result.hint and result.diagnosis) for result in corpus.values())
    assert share >= 0.9


# ---- every report shows it, in the hint's place, marked as a diagnosis ----

def _report(hint: str, diagnosis: str, failing_case: bool = False) -> GradeReport:
    cases = (CaseResult("edge: basic", False, "3 of 3 values differ."),) if failing_case else ()
    result = ExerciseResult("redness", "stimuli", True, False, 0.0, 1.0, "3 of 3 cases fail.", hint=hint,
                            diagnosis=diagnosis, status="failed", cases=cases)
    return GradeReport(0.0, 1.0, (result,), provenance={}, submission={})


def test_every_report_shows_the_diagnosis_as_what_the_numbers_show():
    report = _report("", "every value is 2 times the expected one.")
    text = render_text(report)
    assert "What the numbers show: every value is 2 times the expected one." in text and "Hint:" not in text
    assert report_to_json(report)["exercises"][0]["diagnosis"] == "every value is 2 times the expected one."
    output = gradescope_results(report)["tests"][0]["output"]
    assert "What the numbers show: every value is 2 times" in output and "Hint:" not in output
    for other in (junit_xml(_report("", "every value is 2 times the expected one.", failing_case=True)),
                  github_annotations(report), step_summary(report)):
        assert "What the numbers show: every value is 2 times" in other and "Hint:" not in other
    hinted = render_text(_report("Subtract the mean of green and blue.", ""))
    assert "Hint: Subtract" in hinted and "What the numbers show" not in hinted


def test_the_app_shows_the_diagnosis_in_the_hint_place():
    from streamlit.testing.v1 import AppTest

    def page():
        from grader.results import ExerciseResult
        from lesson.app.check_widget import CheckState, _show_result

        result = ExerciseResult("redness", "stimuli", True, False, 0.0, 1.0, "3 of 3 cases fail.",
                                diagnosis="every value is 2 times the expected one.", status="failed")
        _show_result(CheckState("failed", result, "0" * 64))

    app = AppTest.from_function(page, default_timeout=30).run()
    assert not app.exception
    assert any("What the numbers show:** every value is 2 times" in info.value for info in app.info)


@pytest.mark.parametrize("module", ["diagnosis.py", "relations.py", "shape_relations.py"])
def test_the_diagnosis_uses_neither_the_reference_solutions_nor_scipy(module):
    tree = ast.parse((Path(__file__).resolve().parents[3] / "grader" / "judging" / module).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    allowed = {"__future__", "collections.abc", "dataclasses", "itertools", "typing", "warnings", "numpy"}
    assert {name for name in imported if not name.startswith("grader.")} <= allowed, imported
    assert not {name for name in imported if name.startswith("grader.") and not name.startswith(
        ("grader.judging.", "grader.cases.case", "grader.registry", "grader.running.outcomes"))}, imported
