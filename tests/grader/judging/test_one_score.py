"""One implementation, one score: the same submissions score the same in the course repository, from public
fixtures (a release), from hidden fixtures (official grades), with and without the torch child; partial credit
follows the registry's per-group rule; answers copied from the public fixtures fail the hidden cases."""

from __future__ import annotations

import json

import numpy as np
import pytest
from grader_helpers import SUBMISSIONS, torch_importable
from test_wrong_submissions import CASES

import grader.engine
from grader import grade
from grader.cases.case import Case
from grader.judging.verdicts import credit_score
from grader.registry import EXERCISES, MODULES, exercise

CORRECT = ("float32_inside", "pca_eigh", "rsa_by_hand", "rsa_library", "torch_inside")
# every submission of the corpora with the exercises it is graded on: 5 correct, 51 wrong
CORPUS = [(SUBMISSIONS / "correct" / name, None) for name in CORRECT] + [
    (SUBMISSIONS / "wrong" / folder, [name]) for folder, name, _ in CASES] + [
    (SUBMISSIONS / "wrong" / "similarity_numpy_only_for_tensors", ["get_similarity_matrix"])]


@pytest.fixture(scope="module")
def hidden_fixtures(bank, stand_in_settings, tmp_path_factory):
    from grader.cases.case_sets import hidden_case_set
    from grader.classroom.build import build_fixtures

    folder = tmp_path_factory.mktemp("hidden")
    build_fixtures(bank, folder, settings=stand_in_settings, case_set=hidden_case_set(b"one score for one implementation"))
    return folder


def _scores(source, torch: bool, monkeypatch, corpus=CORPUS) -> dict:
    """{submission: {exercise: score}}, three submissions graded at a time (each in its own children)."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(grader.engine, "torch_installed", lambda: torch and torch_importable())

    def one(folder, names):
        names = names or [item.name for item in EXERCISES if (folder / item.file_name).is_file()]
        report = grade(folder, names, source=source, time_limit=60, warm=False)
        return folder.name, {item.name: item.score for item in report.exercises}

    with ThreadPoolExecutor(max_workers=3) as pool:
        scores = dict(pool.map(lambda item: one(*item), corpus))
    monkeypatch.undo()
    return scores


def _differences(first: dict, second: dict) -> dict:
    return {name: (first[name], second[name]) for name in first if second[name] != first[name]}


def test_the_same_submissions_score_the_same_on_public_and_hidden_cases(reference_source, hidden_fixtures, monkeypatch):
    """56 submissions: the course repository (public cases) and hidden fixtures (an official grade). With
    test_release's hint test (the wrong corpus from a release's public fixtures = the repository) and the torch
    test below, this covers every place a submission is graded."""
    from grader.cases.fixtures import FixtureSource

    assert len(CORPUS) >= 40
    repository = _scores(reference_source, False, monkeypatch)
    hidden = _scores(FixtureSource.load(hidden_fixtures), False, monkeypatch)
    assert not _differences(repository, hidden), json.dumps(_differences(repository, hidden))
    for name in CORRECT:  # (honest and right: full marks everywhere)
        assert all(score == exercise(item).points for item, score in repository[name].items()), name
    partial = [scores for name, scores in repository.items() if name not in CORRECT and 0 < sum(scores.values())]
    assert partial  # some mistakes fail only some groups: partial credit is exercised


TORCH_CORPUS = CORPUS[:5] + [item for item in CORPUS if item[0].name in (
    "similarity_numpy_only_for_tensors", "similarity_cosine", "lower_with_diagonal", "pca_not_centred",
    "redness_sums", "components_strict")]


@pytest.mark.skipif(not torch_importable(), reason="torch is not installed")
def test_the_torch_child_does_not_change_a_score(reference_source, bank, hidden_fixtures, monkeypatch):
    from grader.cases.case_sets import hidden_case_set
    from grader.cases.case_sources import ReferenceSource
    from grader.cases.fixtures import FixtureSource

    without = _scores(reference_source, False, monkeypatch, TORCH_CORPUS)
    with_torch = _scores(reference_source, True, monkeypatch, TORCH_CORPUS)
    assert not _differences(without, with_torch), json.dumps(_differences(without, with_torch))
    hidden = _scores(FixtureSource.load(hidden_fixtures), True, monkeypatch, TORCH_CORPUS)
    assert not _differences(without, hidden), json.dumps(_differences(without, hidden))
    other_key = _scores(ReferenceSource(bank, hidden_case_set(b"another key, for the repository")), True, monkeypatch,
                        TORCH_CORPUS)
    assert not _differences(without, other_key), json.dumps(_differences(without, other_key))
    report = grade(SUBMISSIONS / "wrong" / "similarity_numpy_only_for_tensors", ["get_similarity_matrix"],
                   source=reference_source, warm=False, time_limit=60)
    (result,) = report.exercises  # the torch check fails and says so, but costs no point
    assert not result.passed and result.score == 3 and "not scored" in result.message and "np.asarray" in result.hint


def _case(group: str, tensor: bool = False) -> Case:
    return Case(f"{group}: x", (), group=group, tensor=tensor)


@pytest.mark.parametrize(("passed", "want"), [
    ({"edge": True, "random": True, "bank": True}, 3.0),
    ({"edge": False, "random": True, "bank": True}, 2.0),
    ({"edge": True, "random": False, "bank": False}, 1.0),
    ({"edge": False, "random": False, "bank": False}, 0.0),
])
def test_partial_credit_is_points_times_the_shares_of_the_groups_that_pass(passed, want):
    item = exercise("PCA")  # 3 points, a third per group
    pairs = [(_case(group), ok) for group, ok in passed.items() for _ in range(4)]
    pairs[0] = (pairs[0][0], passed["edge"])  # (one failing case fails its whole group)
    assert credit_score(item, pairs) == want
    more = pairs + [(_case("bank"), passed["bank"])] * 30  # however many cases a group has
    assert credit_score(item, more) == want
    assert credit_score(item, pairs + [(_case("edge", tensor=True), False)]) == want  # torch checks are not scored


def test_one_failing_case_costs_its_group_share():
    item = exercise("get_similarity_matrix")
    pairs = [(_case("edge"), True)] * 7 + [(_case("edge"), False)] + [(_case("random"), True)] * 3 + [
        (_case("bank"), True)] * 21
    assert credit_score(item, pairs) == 2.0
    assert abs(sum(item.credit.values()) - 1) < 1e-12 and set(item.credit) == {"edge", "random", "bank"}


LOOKUP = '''"""Answers copied from the public fixtures: a table from each input's bytes to its expected output."""

import hashlib
import json

import numpy as np

TABLE = json.loads({table!r})


def _key(values, threshold=None):
    data = np.ascontiguousarray(np.asarray(values, dtype=np.float64)).tobytes()
    return hashlib.sha256(data + repr(threshold).encode()).hexdigest()[:16]


def components_to_reach(cumulative_variance_explained, threshold=0.8):
    return int(TABLE.get(_key(cumulative_variance_explained, threshold), -1))


def PCA(data_matrix):
    raise NotImplementedError
'''


def test_a_lookup_table_of_public_answers_fails_the_hidden_cases(tmp_path, fixtures_dir, hidden_fixtures):
    """The issue's 1.2 KB table: full marks on the public fixtures, none on the hidden ones."""
    import hashlib

    from grader.cases.fixtures import FixtureSource

    public = FixtureSource.load(fixtures_dir)
    table = {}
    for case in public.cases(exercise("components_to_reach")):
        threshold = case.kwargs.get("threshold", 0.8)
        data = np.ascontiguousarray(np.asarray(case.args[0], dtype=np.float64)).tobytes()
        table[hashlib.sha256(data + repr(float(threshold)).encode()).hexdigest()[:16]] = int(case.expected)
    folder = tmp_path / "lookup"
    folder.mkdir()
    (folder / "pca.py").write_text(LOOKUP.format(table=json.dumps(table)).replace("repr(threshold)",
                                                                                   "repr(float(threshold))"))
    on_public = grade(folder, ["components_to_reach"], source=public, warm=False, time_limit=30)
    assert on_public.score == 1, on_public.exercises[0].message
    on_hidden = grade(folder, ["components_to_reach"], source=FixtureSource.load(hidden_fixtures), warm=False,
                      time_limit=30)
    (result,) = on_hidden.exercises
    assert result.score == 0 and not result.passed, result.message
    assert all(not case.passed for case in result.cases if case.name.startswith(("random:", "bank:")))


def test_modules_of_the_corpus_are_known():
    for folder, _ in CORPUS:
        assert {path.stem for path in folder.glob("*.py")} <= set(MODULES), folder
