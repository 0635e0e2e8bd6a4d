"""Cached arrays for the app: ``lesson.analysis`` run once per (bank, layer, implementation).

Every cache is keyed by short strings (the bank key, a layer path, "reference" or "student:<sha256>"), never by
big arrays; the bank and the function themselves are passed as ``_``-prefixed (unhashed) arguments. Progress
bars live here, outside the cached functions (a bar drawn inside one would be replayed on every cache hit).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np
import streamlit as st

from lesson.analysis import steps
from lesson.app.implementation import Choice

__all__ = ["chart", "reference", "EUCLIDEAN", "first_order_stack", "second_order_matrix", "pitfall_second_order",
           "pca_spectra", "redness_values", "rsa_positions", "class_montages", "rsa_montage", "units_study",
           "one_blas_thread"]


@st.cache_resource(show_spinner=False, max_entries=64)
def _chart(kind: str, key: str, _build: Callable):
    return _build()


def chart(kind: str, key: str, build: Callable):
    """The chart ``build()`` makes, built once per (kind, key): Altair validates every encoding as a chart is
    built, which costs a tenth of a second per big chart, on every rerun. ``key`` must name everything the chart
    shows (bank key, function versions, layer, threshold, ...). Charts are shared read-only between sessions."""
    return _chart(kind, key, build)


@st.cache_resource(show_spinner=False, max_entries=8)
def _done_keys() -> set:
    """Keys of per-layer results computed in this process (to skip the progress bar when all are cached)."""
    return set()


def one_blas_thread() -> None:
    """Limit this process's BLAS to one thread (threadpoolctl, where installed).

    The app's numerics are many small products and SVDs (160 images x 1,000 units): on 2 busy cores a
    multi-threaded BLAS spends its time waking threads. Measured on the stand-in bank at load 15: PCA of all 21
    layers took 102 s with the default threads and 2.2 s with one. Set again before each heavy step, since the
    grader's own limit (grader.cases.case_sources.single_threaded_blas) gives back what it found."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 (optional: without it only the speed differs)
        pass


def _each_layer(bank, compute_layer: Callable[[str], object], scope: tuple, label: str) -> list:
    """``compute_layer(path)`` for every layer of the bank, with a progress bar ("label: 4 of 21 layers") unless
    every result of this ``scope`` was already computed in this process (the cached functions answer at once).

    The layers are computed on one thread per core (numpy releases the GIL in its products and SVDs, and BLAS
    keeps to one thread each): on 2 cores the 21 PCAs after a pass take about half the time of a loop."""
    keys = [(*scope, bank.key, path) for path in bank.layer_paths]
    one_blas_thread()
    done = _done_keys()
    if all(key in done for key in keys):
        return [compute_layer(path) for path in bank.layer_paths]
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    script_context = get_script_run_ctx()
    bar = st.progress(0.0, text=f"{label} …")
    results: list = [None] * len(keys)
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="lesson-layer",
                                initializer=lambda: add_script_run_ctx(threading.current_thread(), script_context)
                                ) as pool:
            futures = {pool.submit(compute_layer, path): index for index, path in enumerate(bank.layer_paths)}
            for finished, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                results[index] = future.result()  # the first failure (the student's code) is raised here
                done.add(keys[index])
                bar.progress(finished / len(keys), text=f"{label}: {finished} of {len(keys)} layers")
    finally:
        bar.empty()
    return results


def _per_layer(compute: Callable, bank, choice: Choice, what: str, cache_name: str) -> list:
    """``compute`` (a cached per-layer function) with the chosen implementation, for every layer."""
    return _each_layer(bank, lambda path: compute(bank.key, path, choice.source_id, bank, choice.function),
                       (cache_name, choice.source_id), f"{what} with {choice.label}")


@st.cache_resource(show_spinner=False, max_entries=4)
def _reference_cached(bank_key: str, _bank):
    from lesson.analysis.reference_results import reference_results

    results = reference_results(_bank)
    for array in results.__dict__.values():
        array.flags.writeable = False  # shared by every session: nobody may change it
    return results


def _reference(bank):
    """The bank's reference analyses (computed once, then read from beside the bank), with a spinner the first time."""
    key = ("reference", bank.key)
    if key in _done_keys():
        return _reference_cached(bank.key, bank)
    one_blas_thread()
    with st.spinner("Computing the reference analyses of every layer (once; they are saved for next time) …"):
        results = _reference_cached(bank.key, bank)
    _done_keys().add(key)
    return results


def reference(bank):
    """The reference analyses of any bank (e.g. the untrained network's, for a comparison), computed once."""
    return _reference(bank)


@st.cache_data(show_spinner=False, max_entries=21 * 6)
def _first_order_layer(bank_key: str, layer_path: str, source_id: str, _bank, _function) -> np.ndarray:
    return steps.first_order(_bank.rsa_activations(layer_path), _function)


def _euclidean(activations) -> np.ndarray:
    from lesson.analysis.beyond import similarity_matrix

    return similarity_matrix(activations, "euclidean")


EUCLIDEAN = Choice(_euclidean, "extension:euclidean", "the negated Euclidean distance", False)


def first_order_stack(bank, choice: Choice) -> np.ndarray:
    """(n_layers, n_rsa, n_rsa) first-order matrices of every layer, with the chosen get_similarity_matrix
    (or ``EUCLIDEAN``: the extension's rescaled negated Euclidean distance)."""
    if choice.is_reference:
        return _reference(bank).first_order
    return np.stack(_per_layer(_first_order_layer, bank, choice, "Computing the first-order matrices", "first"))


@st.cache_data(show_spinner=False, max_entries=16)
def _second_order(bank_key: str, first_source_id: str, second_source_id: str, pitfall: bool, _first_order,
                  _function) -> np.ndarray:
    return steps.second_order(_first_order, _function)


def second_order_matrix(bank, first: Choice, second: Choice) -> np.ndarray:
    """(n_layers, n_layers) second-order matrix of the first-order matrices from ``first``, compared with ``second``."""
    if first.is_reference and second.is_reference:
        return _reference(bank).second_order
    stack = first_order_stack(bank, first)
    return _second_order(bank.key, first.source_id, second.source_id, False, stack, second.function)


def pitfall_second_order(bank, first: Choice, second: Choice) -> np.ndarray:
    """The second-order matrix of what a buggy (un-copied) extraction records: the in-place ReLU pitfall.

    The buggy recording of each layer equals the correct recording of a later layer (``bank.pitfall_sources``:
    conv1 -> relu1, ...), so its first-order matrices are rows of the correct stack.
    """
    if first.is_reference and second.is_reference:
        return _reference(bank).pitfall_second_order
    sources = [bank.layer_paths.index(source) for source in bank.pitfall_sources]
    stack = first_order_stack(bank, first)
    return _second_order(bank.key, first.source_id, second.source_id, True, stack[sources], second.function)


@st.cache_data(show_spinner=False, max_entries=21 * 6)
def _pca_layer(bank_key: str, layer_path: str, source_id: str, _bank, _function) -> tuple[np.ndarray, np.ndarray]:
    return steps.pca_spectrum(_bank.pca_activations(layer_path), _function)


@st.cache_data(show_spinner=False, max_entries=21 * 12)
def _pca_subset_layer(bank_key: str, layer_path: str, source_id: str, per_class: int, _bank,
                      _function) -> tuple[np.ndarray, np.ndarray]:
    rows = _bank.first_per_class(per_class)  # the first per_class images of each class
    data = _bank.pca_activations(layer_path)[rows]  # (n_images used, n_units)
    if _function is None:  # the reference: its spectrum without the components (the course repository only)
        from lesson.analysis.beyond import variance_spectrum

        return variance_spectrum(data)
    return steps.pca_spectrum(data, _function)


def pca_spectra(bank, choice: Choice, per_class: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per layer: (variance_explained, cumulative_variance_explained) of the chosen PCA on the PCA images, or on
    the first ``per_class`` images of each class when that is fewer than the bank holds."""
    if per_class is not None and per_class < int(np.bincount(bank.labels).max()):
        function = None if choice.is_reference else choice.function
        return _each_layer(bank, lambda path: _pca_subset_layer(bank.key, path, choice.source_id, per_class, bank,
                                                                function),
                           ("pca subset", choice.source_id, per_class), f"Running PCA with {choice.label}")
    if choice.is_reference:
        results = _reference(bank)
        return list(zip(results.variance_explained, results.cumulative_variance_explained))
    return _per_layer(_pca_layer, bank, choice, "Running PCA on every layer", "pca")


@st.cache_data(show_spinner=False, max_entries=21 * 2)
def _image_count_spectra(bank_key: str, layer_path: str, counts: tuple[int, ...], source_id: str, _bank,
                         _function) -> list:
    stored = _bank.pca_activations(layer_path)
    spectra = []
    for rows in (_bank.first_per_class(count) for count in counts):
        if _function is None:  # the reference: its spectrum without the components (the course repository only)
            from lesson.analysis.beyond import variance_spectrum

            spectra.append((int(len(rows)), *variance_spectrum(stored[rows])))
        else:
            spectra.append((int(len(rows)), *steps.pca_spectrum(stored[rows], _function)))
    return spectra


def image_count_study(bank, layer_path: str, counts: tuple[int, ...], threshold: float, choice: Choice,
                      count_choice: Choice) -> list[dict]:
    """For one layer and each number of images per class in ``counts``: the images used, the components with
    non-zero variance (at most n - 1 after centring) and the components needed for ``threshold``, with the
    chosen PCA and components_to_reach (the reference, or the student's once it passes: a release has no
    reference)."""
    function = None if choice.is_reference else choice.function
    rows = []
    for n_images, variance, cumulative in _image_count_spectra(bank.key, layer_path, tuple(counts), choice.source_id,
                                                               bank, function):
        nonzero = int(np.sum(variance > steps.NEGLIGIBLE_VARIANCE * variance[0]))
        (needed,) = steps.components_needed([cumulative], threshold, count_choice.function)
        rows.append({"images": n_images, "n - 1": n_images - 1, "components with variance": nonzero,
                     f"components for {threshold:.0%}": min(int(needed), len(cumulative))})
    return rows


def top5_rows(bank) -> list[dict]:
    """One row per image: its name, class, and its five most probable ImageNet classes with probabilities."""
    return _top5_rows(bank.key, bank)


@st.cache_data(show_spinner=False, max_entries=4)
def _top5_rows(bank_key: str, _bank) -> list[dict]:
    classes, probabilities = _bank.top5
    categories, class_names = _bank.categories, _bank.class_names
    return [{"image": name, "class": class_names[label],
             **{f"guess {rank + 1}": f"{categories[index]} ({probability:.1%})"
                for rank, (index, probability) in enumerate(zip(top, chances))},
             "own class in top 5": class_names[label] in {categories[index] for index in top}}
            for name, label, top, chances in zip(_bank.image_names, _bank.labels, classes, probabilities)]


@st.cache_data(show_spinner=False, max_entries=8)
def _redness(bank_key: str, source_id: str, _bank, _function) -> np.ndarray:
    return steps.redness_of_images(_bank.images, _function)


def redness_values(bank, choice: Choice) -> np.ndarray:
    """(n_images,) redness of every lesson image, with the chosen ``redness``."""
    one_blas_thread()
    with st.spinner(f"Measuring redness with {choice.label} …"):
        return _redness(bank.key, choice.source_id, bank, choice.function)


@st.cache_data(show_spinner=False, max_entries=16)
def _rsa_positions(bank_key: str, redness_source_id: str, pick_source_id: str, _redness, _labels, _function,
                   per_class: int, n_extreme: int) -> np.ndarray:
    return steps.rsa_order(_redness, _labels, _function, per_class=per_class, n_extreme=n_extreme)


def rsa_positions(bank, redness_choice: Choice, pick_choice: Choice) -> np.ndarray:
    """Positions of the RSA images (in RSA order), from the chosen ``redness`` and ``pick_redness_extrema``."""
    provenance = bank.provenance
    return _rsa_positions(bank.key, redness_choice.source_id, pick_choice.source_id,
                          redness_values(bank, redness_choice), bank.labels, pick_choice.function,
                          int(provenance.get("per_class", 40)), int(provenance.get("n_extreme", 5)))


@st.cache_data(show_spinner=False, max_entries=4)
def _class_montages(bank_key: str, _bank, per_row: int, thumb: int) -> list[np.ndarray]:
    labels = np.asarray(_bank.labels)
    return [steps.montage(_bank.images[np.flatnonzero(labels == label)], per_row, thumb=thumb)
            for label in range(len(_bank.class_names))]


def class_montages(bank, per_row: int = 20, thumb: int = 72) -> list[np.ndarray]:
    """One picture per class: all its images as thumbnails, ``per_row`` to a row."""
    return _class_montages(bank.key, bank, per_row, thumb)


@st.cache_data(show_spinner=False, max_entries=8)
def _rsa_montage(bank_key: str, positions_key: str, _bank, _positions, n_extreme: int, thumb: int) -> list[np.ndarray]:
    per_class = 2 * n_extreme
    positions = np.asarray(_positions)
    return [steps.montage(_bank.images[positions[start:start + per_class]], per_class, thumb=thumb,
                             group=n_extreme, group_gap=14)
            for start in range(0, len(positions), per_class)]


def rsa_montage(bank, positions: np.ndarray, thumb: int = 96) -> list[np.ndarray]:
    """One picture per class row of the RSA order: its reddest images, a gap, then its least red."""
    n_extreme = int(bank.provenance.get("n_extreme", 5))
    return _rsa_montage(bank.key, ",".join(map(str, positions)), bank, positions, n_extreme, thumb)


@st.cache_data(show_spinner=False, max_entries=21 * 4)
def _unit_spectra(bank_key: str, layer_path: str, _bank) -> list[tuple[int, np.ndarray, np.ndarray]]:
    from lesson.analysis.beyond import UNIT_COUNTS, spectra_by_units

    stored = int(_bank.provenance.get("stored_units", _bank.provenance["pca_units"]))
    return spectra_by_units(_bank.pca_activations(layer_path, n_units=stored), UNIT_COUNTS)


def units_study(bank, threshold: float) -> list[dict]:
    """Per layer and number of units (100, 300, 1000, 3000 where stored): both dimensionality estimates.

    Rows: layer (display name), n_units, components_needed (for ``threshold``), participation_ratio. The spectra
    are cached per (bank, layer); only the cheap counting depends on the threshold.
    """
    from lesson.analysis.beyond import layer_dimensionality

    spectra = _each_layer(bank, lambda path: _unit_spectra(bank.key, path, bank), ("units",),
                          "PCA on 100 to 3,000 units")
    return [{"layer": name, "n_units": n_units, **layer_dimensionality(variance, cumulative, threshold)}
            for name, layer_spectra in zip(bank.layer_names, spectra) for n_units, variance, cumulative in layer_spectra]
