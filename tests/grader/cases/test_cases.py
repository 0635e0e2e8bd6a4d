"""The registry and its cases: one list, matching the references and the stubs; cases deterministic and read-only."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import exercises.pca
import exercises.rsa
import exercises.stimuli
import solutions
from grader.cases.case import RANDOM_CASES, _random_cases
from grader.registry import EXERCISES, MODULES, exercise, select

STUBS = {"rsa": exercises.rsa, "pca": exercises.pca, "stimuli": exercises.stimuli}


def test_the_registry_lists_every_reference_function_once():
    assert sorted(item.name for item in EXERCISES) == sorted(solutions.__all__)
    assert MODULES == ("rsa", "pca", "stimuli")
    for item in EXERCISES:
        reference = getattr(solutions, item.name)
        assert reference.__module__ == f"solutions.{item.module}"
        stub = getattr(STUBS[item.module], item.name)
        assert inspect.signature(stub) == inspect.signature(reference)
        assert item.points > 0


def test_select_keeps_registry_order_and_names_the_valid_options():
    assert [item.name for item in select(["PCA", "redness", "PCA"])] == ["PCA", "redness"]
    assert select(None) == EXERCISES
    with pytest.raises(KeyError, match="the exercises are: get_similarity_matrix"):
        exercise("pearson")


@pytest.mark.parametrize("item", EXERCISES, ids=lambda item: item.name)
def test_edge_cases_are_small_visible_and_explained(item):
    names = [case.name for case in item.edge_cases]
    assert len(names) == len(set(names)) >= 5
    assert names[0].startswith("edge: basic")  # the plain case that tells a stub apart comes first
    for case in item.edge_cases:
        assert case.group == "edge" and not case.hidden and case.about
        for value in list(case.args) + list(case.kwargs.values()):
            if isinstance(value, np.ndarray):
                assert not value.flags.writeable and value.size < 1000


def test_random_cases_are_hidden_and_the_same_on_every_build():
    rebuilt = _random_cases()
    for name, cases in RANDOM_CASES.items():
        assert cases and all(case.hidden and case.group == "random" for case in cases)
        for case, again in zip(cases, rebuilt[name]):
            for value, same in zip(case.args, again.args):
                if isinstance(value, np.ndarray):
                    np.testing.assert_array_equal(value, same)


def test_bank_cases_cover_every_layer(reference_source, bank):
    from grader.cases.subsample import PCA_LAYERS

    names = {item.name: [case.name for case in reference_source.cases(item, ("bank",))] for item in EXERCISES}
    for name in ("get_similarity_matrix", "components_to_reach"):
        assert len(names[name]) == len(bank.layer_paths) == 21
    assert len(names["PCA"]) == len(PCA_LAYERS) == 7 and names["PCA"][0].startswith("bank: conv1 (features.0), 300 u")
    assert names["get_similarity_matrix"][0] == "bank: conv1 (features.0)"
    second = reference_source.cases(exercise("second_order_similarity"), ("bank",))
    assert isinstance(second[0].args[0], dict) and list(second[0].args[0]) == list(bank.layer_paths)
    redness_case = reference_source.cases(exercise("redness"), ("bank",))[0]
    images = redness_case.args[0]
    assert images.shape == (400, 3, 28, 28) and images.dtype == np.float32 and 0 <= images.min() <= images.max() <= 1


def test_expected_values_are_the_references_on_the_same_inputs(reference_source):
    for item in EXERCISES:
        for case in reference_source.cases(item, ("edge", "random")):
            again = getattr(solutions, item.name)(*case.args, **case.kwargs)
            for part, same in zip(case.expected if isinstance(case.expected, tuple) else (case.expected,),
                                  again if isinstance(again, tuple) else (again,)):
                np.testing.assert_array_equal(part, same)


def test_the_reference_cache_is_reused_and_a_broken_one_recomputed(bank):
    from grader.cases.case_sources import ReferenceSource, _BankReferences

    fresh = _BankReferences(bank, ReferenceSource._solve)  # (on a whole bank; a subsample is not cached)
    path = fresh._cache_path()
    first = fresh.first_order()
    assert path.is_file()
    reloaded = _BankReferences(bank, solve=lambda *args: pytest.fail("the cache should have been used"))
    np.testing.assert_array_equal(reloaded.first_order()[bank.layer_paths[0]], first[bank.layer_paths[0]])
    path.write_bytes(b"not an npz")
    recomputed = _BankReferences(bank, ReferenceSource._solve)
    variance = fresh.pca(bank.layer_paths[-1])[1]  # SVDs agree to rounding (BLAS threads may differ)
    np.testing.assert_allclose(recomputed.pca(bank.layer_paths[-1])[1], variance, rtol=1e-9, atol=1e-12 * variance[0])
