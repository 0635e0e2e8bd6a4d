"""Case sets: public and hidden ones have the same kinds and counts, hidden ones come from the key alone, keep what
each edge case checks (every correct formulation still passes them), and share no expected output with the public set."""

from __future__ import annotations

import importlib.util
import os
import stat

import numpy as np
import pytest
from grader_helpers import PROJECT_ROOT, SUBMISSIONS, torch_importable

from grader.cases.case_sets import PUBLIC, hidden_case_set, load_hidden_key
from grader.cases.case_sources import GROUPS, ReferenceSource
from grader.errors import GradingError
from grader.judging.compare import Output, compare
from grader.registry import EXERCISES, exercise

KEYS = [bytes([seed]) * 32 for seed in (1, 2, 3)]


@pytest.fixture(scope="module")
def hidden_sources(bank):
    return [ReferenceSource(bank, hidden_case_set(key)) for key in KEYS]


def _kinds(source, item):
    return [(case.group, case.tensor) for case in source.cases(item, GROUPS)]


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)


def _digests(values) -> set[bytes]:
    return {np.ascontiguousarray(array).tobytes() for value in values for array in _arrays(value) if array.size > 1}


@pytest.mark.parametrize("item", EXERCISES, ids=lambda item: item.name)
def test_public_and_hidden_sets_have_the_same_kinds_and_counts(reference_source, hidden_sources, item):
    public = _kinds(reference_source, item)
    assert {group for group, _ in public} == set(GROUPS)
    for source in hidden_sources:
        assert _kinds(source, item) == public
        assert all(case.hidden for case in source.cases(item, GROUPS))


@pytest.mark.parametrize("item", EXERCISES, ids=lambda item: item.name)
def test_hidden_cases_share_no_input_or_expected_output_with_the_public_ones(reference_source, hidden_sources, item):
    public = reference_source.cases(item, GROUPS)
    public_inputs = _digests(case.args for case in public)
    public_expected = _digests(case.expected for case in public)
    for source in hidden_sources:
        hidden = source.cases(item, GROUPS)
        same_inputs = [case.name for case in hidden if _digests([case.args]) & public_inputs]
        assert len(same_inputs) <= 1, same_inputs  # (only a one-value curve [1.0] cannot move)
        if item.output in ("array", "pca"):
            leaked = [case.name for case in hidden if case.group != "edge" and _digests([case.expected]) & public_expected]
            assert not leaked, leaked


def test_a_key_always_gives_the_same_cases_and_another_key_others(bank, hidden_sources):
    again = ReferenceSource(bank, hidden_case_set(KEYS[0]))
    for item in (exercise("PCA"), exercise("get_similarity_matrix"), exercise("pick_redness_extrema")):
        for case, same, other in zip(hidden_sources[0].cases(item), again.cases(item), hidden_sources[1].cases(item)):
            assert _digests([case.args]) == _digests([same.args]) and case.kwargs == same.kwargs
            assert _digests([case.args]) != _digests([other.args]) or case.kwargs != other.kwargs or case.name.endswith(
                "a single component")


def test_hidden_variants_keep_what_the_edge_case_checks(hidden_sources):
    for source in hidden_sources:
        constant = next(case for case in source.cases(exercise("get_similarity_matrix"), ("edge",))
                        if "constant rows" in case.name)
        rows = constant.args[0].reshape(len(constant.args[0]), -1)
        assert (np.ptp(rows, axis=1) == 0).sum() == 2  # still two constant images, somewhere else
        exact = next(case for case in source.cases(exercise("components_to_reach"), ("edge",))
                     if "exactly at" in case.name)
        assert exact.kwargs["threshold"] in exact.args[0] and exact.expected == 2
        zeros = next(case for case in source.cases(exercise("extract_lower_tri_entries"), ("edge",)) if "zeros" in case.name)
        assert (zeros.args[0][np.tril_indices(5, -1)] == 0).sum() == 3
        ordered = next(case for case in source.cases(exercise("second_order_similarity"), ("edge",)) if "dict" in case.name)
        assert list(ordered.args[0]) == ["fc8", "conv1", "pool2"]
        interleaved = next(case for case in source.cases(exercise("pick_redness_extrema"), ("edge",))
                           if "interleaved" in case.name)
        assert list(dict.fromkeys(interleaved.args[1].tolist())) == [2, 0, 1]


def _output(value) -> Output:
    if isinstance(value, tuple):
        return Output("sequence", "tuple", items=tuple(_output(item) for item in value))
    array = np.asarray(value)
    return Output("number" if array.ndim == 0 else "array", type(value).__name__, array)


def _modules(folder):
    for path in sorted(folder.glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"correct_{folder.name}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


def _tensor(value):
    import torch

    if isinstance(value, np.ndarray) and value.dtype.kind in "iufb":
        return torch.from_numpy(np.array(value))
    if isinstance(value, dict):
        return {key: _tensor(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_tensor(item) for item in value)
    return value


@pytest.mark.parametrize("folder", [SUBMISSIONS / "correct" / name for name in
                                    ("float32_inside", "pca_eigh", "rsa_by_hand", "rsa_library", "torch_inside")]
                         + [PROJECT_ROOT / "solutions"], ids=lambda folder: folder.name)
def test_every_correct_formulation_passes_every_hidden_edge_and_random_case(bank, folder):
    """Six keys: a variant never turns a right answer wrong (float32 rounding, ties, exact thresholds, ...)."""
    if folder.name == "torch_inside" and not torch_importable():
        pytest.skip("torch is not installed")
    functions = {name: getattr(module, name) for module in _modules(folder) for name in dir(module)
                 if name in {item.name for item in EXERCISES} and callable(getattr(module, name))}
    assert functions
    for key in range(10, 16):
        source = ReferenceSource(bank, hidden_case_set(bytes([key]) * 32))
        for name, function in functions.items():
            item = exercise(name)
            for case in source.cases(item, ("edge", "random")):
                if case.tensor and not torch_importable():
                    continue
                args = _tensor(case.args) if case.tensor else case.args
                with np.errstate(all="ignore"):
                    got = function(*args, **case.kwargs)
                verdict = compare(item.output, _output(got), case.expected, item.tolerance, hidden=False)
                assert verdict.passed, (folder.name, key, name, case.name, verdict.message)


def test_the_public_set_is_the_default_and_unchanged(reference_source):
    assert reference_source.case_set is PUBLIC and PUBLIC.fingerprint == "public"
    names = [case.name for case in reference_source.cases(exercise("PCA"), ("random",))]
    assert names == ["random: data (50, 10) (seed 8)", "random: data (12, 30) (seed 8)", "random: data (25, 25) (seed 8)"]


def test_keys_come_from_a_file_the_environment_or_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_HIDDEN_KEY", raising=False)
    monkeypatch.setenv("LESSON_CACHE_DIR", str(tmp_path / "cache"))
    made = load_hidden_key()  # made on first use, private to its owner
    path = tmp_path / "cache" / "grader" / "hidden-key"
    assert path.is_file() and stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(path.read_bytes()) == 32
    assert load_hidden_key().fingerprint == made.fingerprint and made.fingerprint.startswith("hidden:")
    assert made.key.hex() not in made.fingerprint
    with pytest.raises(GradingError, match="no hidden-case key at .*missing"):
        load_hidden_key(tmp_path / "missing")
    monkeypatch.setenv("GRADER_HIDDEN_KEY", str(tmp_path / "also-missing"))
    with pytest.raises(GradingError, match="also-missing"):
        load_hidden_key()
    (tmp_path / "short").write_bytes(b"abc")
    with pytest.raises(GradingError, match="at least 16 bytes"):
        load_hidden_key(tmp_path / "short")


def test_hidden_bank_cases_are_the_same_whichever_thread_builds_them(bank):
    """batch grades several students at once from one source: a crop must not depend on who asked first."""
    from concurrent.futures import ThreadPoolExecutor

    source = ReferenceSource(bank, hidden_case_set(b"threads" * 5))
    names = ("extract_lower_tri_entries", "second_order_similarity", "get_similarity_matrix", "spearman_corrcoef")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda name: source.cases(exercise(name), ("bank",)), names))
    for case in source.cases(exercise("get_similarity_matrix"), ("bank",)):
        rows = np.asarray(case.args[0], dtype=np.float64).reshape(len(case.args[0]), -1)
        with np.errstate(all="ignore"):
            np.testing.assert_allclose(np.corrcoef(rows), case.expected, atol=1e-6, equal_nan=True)
