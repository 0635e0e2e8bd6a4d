"""Building the activation bank: one pass of the network over the images, written to a staging folder row by row,
checked, then renamed into place (the layout is described in ``lesson.data.bank``)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from lesson.data.bank import BANK_FORMAT, ActivationBank, Progress, library_versions, load_bank
from lesson.data.bank_check import array_records, fsync_file, fsync_folder, set_aside, write_stamp
from lesson.data.images import PREPROCESSING, ImageSet
from lesson.data.layers import LAYER_PATHS

__all__ = ["build_bank"]


_PITFALL_IMAGES = 2  # RSA images run through the buggy (un-copied) extraction


def _stored_twin(buggy: np.ndarray, layer_path: str, staging: Path) -> str:
    """The layer (this one or a later one) whose correct RSA activations equal what the buggy extraction stored
    for the first ``len(buggy)`` RSA images.

    Equal up to float rounding: the buggy pass runs in another batch size, which changes the last bits.
    """
    start = LAYER_PATHS.index(layer_path)
    for candidate in LAYER_PATHS[start:]:
        correct = np.load(staging / "rsa" / f"{candidate}.npy", mmap_mode="r")[:len(buggy)]  # the same first images
        if correct.shape == buggy.shape and np.abs(correct - buggy).max() <= 1e-4 * np.abs(correct).max() + 1e-6:
            return candidate
    raise RuntimeError(f"the un-copied output of {layer_path} matches no correctly stored layer")


class _RowWriter:
    """A float32 .npy file of a known shape, filled row by row (first-axis slices) in any order; ``write(row,
    values)`` with values of shape (k, *row shape) fills k consecutive rows."""

    def __init__(self, path: Path, shape: tuple[int, ...]):
        self._file = open(path, "wb")
        np.lib.format.write_array_header_1_0(self._file, {"descr": "<f4", "fortran_order": False, "shape": shape})
        self._data_start = self._file.tell()
        self._row_bytes = int(np.prod(shape[1:])) * 4
        self._file.truncate(self._data_start + shape[0] * self._row_bytes)

    def write(self, row: int, values: np.ndarray) -> None:
        self._file.seek(self._data_start + row * self._row_bytes)
        self._file.write(np.ascontiguousarray(values, dtype="<f4").tobytes())

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())  # on disk before the staging folder is renamed into place
        self._file.close()


_TOP = 5  # predictions kept per image


def _top_classes(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(batch, 1000) fc8 scores -> the top-5 class indices (batch, 5) and their softmax probabilities (batch, 5)."""
    scores = logits.astype(np.float64)
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))  # softmax, shifted for stability
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    top = np.argsort(-probabilities, axis=1, kind="stable")[:, :_TOP]
    return top.astype(np.int64), np.take_along_axis(probabilities, top, axis=1).astype(np.float32)


def build_bank(cache_dir: Path, image_set: ImageSet, model, weights_info, *, key: str, settings_part: dict,
               image_redness: np.ndarray, rsa_indices: np.ndarray, rsa_order: str, batch_size: int = 32,
               notices: tuple[str, ...] = (), progress: Progress | None = None) -> ActivationBank:
    """Run the network once over the images and write the bank ``<cache_dir>/banks/<key>`` (reused if present).

    ``settings_part`` holds pca_units, stored_units, per_class and n_extreme (the values that entered the key);
    ``image_redness`` (n_images,) and ``rsa_indices`` (n_rsa,) the RSA selection, ``rsa_order`` describes it.
    """
    say = progress or (lambda message, fraction: None)
    target = Path(cache_dir) / "banks" / key
    if (target / "provenance.json").is_file():
        return load_bank(target)

    started = time.perf_counter()

    staging = target.with_name(f".{key}.{os.getpid()}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write_staging(staging, image_set, model, weights_info, key=key, settings_part=settings_part,
                       image_redness=image_redness, rsa_indices=rsa_indices, rsa_order=rsa_order,
                       batch_size=batch_size, notices=notices, say=say, started=started)
        if target.is_dir() and not (target / "provenance.json").is_file():
            set_aside(target)  # a bank directory without its provenance: damaged, never renamed over
        try:
            staging.rename(target)  # atomic: a bank directory is either complete or absent
        except OSError:
            if not (target / "provenance.json").is_file():
                raise
            # another process finished the same bank first
        fsync_folder(target.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # a failed or interrupted build leaves nothing behind
    say("Activation bank ready", 1.0)
    return load_bank(target)


def _save_synced(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def _write_staging(staging: Path, image_set: ImageSet, model, weights_info, *, key: str, settings_part: dict,
                   image_redness: np.ndarray, rsa_indices: np.ndarray, rsa_order: str, batch_size: int,
                   notices: tuple[str, ...], say: Progress, started: float) -> None:
    """Every file of the bank, written and flushed to disk in ``staging``."""
    from lesson.data.network import (
        PRETRAINED,
        imagenet_categories,
        iter_layer_outputs,
        layer_table,
        memory_order_view,
        stream_layer_outputs,
        unit_subsample,
    )

    pca_units, stored_units = settings_part["pca_units"], settings_part["stored_units"]
    per_class, n_extreme = settings_part["per_class"], settings_part["n_extreme"]
    rsa_position = {int(row): position for position, row in enumerate(rsa_indices)}
    (staging / "rsa").mkdir(parents=True)
    (staging / "pca").mkdir()
    # One pass over all images. Each layer's output is written out the moment its module produces it (inside the
    # forward hook, before an in-place ReLU changes it): the RSA images' full responses row by row, and every
    # image's responses on the layer's unit draw for PCA. Nothing accumulates in memory but one batch's forward.
    rsa_files: dict[str, _RowWriter] = {}
    pca_files: dict[str, _RowWriter] = {}  # layer -> (n_images, n_stored_units)
    unit_draws: dict[str, np.ndarray] = {}  # layer -> indices of the stored units
    n_images, n_batches = image_set.n_images, -(-image_set.n_images // batch_size)
    top_classes = np.zeros((n_images, _TOP), dtype=np.int64)
    top_probabilities = np.zeros((n_images, _TOP), dtype=np.float32)

    def write_out(path: str, rows: slice, output) -> None:
        if path == LAYER_PATHS[0]:
            say(f"Running AlexNet on the images (batch {rows.start // batch_size + 1} of {n_batches})",
                0.8 * rows.start / n_images)
        values = output.numpy()  # (batch, *layer shape), channels-last for conv layers: a view
        if path == LAYER_PATHS[-1]:  # fc8: (batch, 1000) class scores
            top_classes[rows], top_probabilities[rows] = _top_classes(values)
        flat, columns = memory_order_view(values)  # (batch, n_units_total), a view
        if path not in pca_files:
            unit_draws[path] = unit_subsample(path, flat.shape[1], stored_units)
            pca_files[path] = _RowWriter(staging / "pca" / f"{path}.npy", (n_images, unit_draws[path].size))
            rsa_files[path] = _RowWriter(staging / "rsa" / f"{path}.npy", (len(rsa_indices), *output.shape[1:]))
        pca_files[path].write(rows.start, flat[:, columns(unit_draws[path])])  # consecutive rows, one block
        for offset, row in enumerate(range(rows.start, rows.stop)):
            if row in rsa_position:
                rsa_files[path].write(rsa_position[row], values[offset])  # written in the usual C order

    try:
        stream_layer_outputs(model, image_set.display, write_out, LAYER_PATHS, batch_size=batch_size)
    finally:
        for writer in (*rsa_files.values(), *pca_files.values()):
            writer.close()

    say("Showing the in-place ReLU pitfall", 0.85)
    # The classic bug: keep the hooked tensors themselves; in-place ReLUs overwrite conv/linear outputs. Which
    # layer each buggy recording really holds is a property of the network, not of the images: the first
    # _PITFALL_IMAGES RSA images tell it (all 40 would hold 176 MB of un-copied outputs for the same answer).
    probe = image_set.display[rsa_indices[:_PITFALL_IMAGES]]
    for _, buggy in iter_layer_outputs(model, probe, LAYER_PATHS, batch_size=len(probe), copy_outputs=False):
        pitfall_sources = [_stored_twin(buggy[path].numpy(), path, staging) for path in LAYER_PATHS]
    del buggy

    say("Writing the activation bank", 0.95)
    _save_synced(staging / "images.npy", image_set.display)
    _save_synced(staging / "labels.npy", image_set.labels)
    _save_synced(staging / "redness.npy", np.asarray(image_redness, dtype=np.float64))
    _save_synced(staging / "rsa_indices.npy", np.asarray(rsa_indices, dtype=np.int64))
    _save_synced(staging / "top5_classes.npy", top_classes)
    _save_synced(staging / "top5_probabilities.npy", top_probabilities)
    arrays = array_records(staging)  # shapes, sizes and checksums: the bank checks itself against them
    provenance = {
        "format": BANK_FORMAT, "key": key,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "build_seconds": round(time.perf_counter() - started, 2),
        "weights": {"kind": weights_info.kind, "id": weights_info.id, "sha256": weights_info.sha256,
                    "description": weights_info.description},
        "images": {"source": image_set.source, "description": image_set.description,
                   "manifest_sha256": image_set.manifest_sha256, "class_names": list(image_set.class_names),
                   "names": list(image_set.names), "skipped": list(image_set.skipped),
                   "n_images": image_set.n_images},
        "preprocessing": PREPROCESSING, "transforms": str(PRETRAINED.transforms()),
        "categories": imagenet_categories(), "pca_per_class": settings_part.get("pca_per_class"),
        "rsa_order": rsa_order, "pitfall_sources": pitfall_sources,
        "pca_units": pca_units, "stored_units": stored_units,
        "unit_draw": "numpy default_rng(sha256('alexnet-lesson:' + layer path)[:8]).permutation(n_units)[:k]",
        "n_extreme": n_extreme, "per_class": per_class,
        "layer_paths": list(LAYER_PATHS), "layer_table": layer_table(model),
        "notices": list(notices), "versions": library_versions(), "arrays": arrays,
    }
    (staging / "provenance.json").write_text(json.dumps(provenance, indent=2))
    fsync_file(staging / "provenance.json")
    write_stamp(staging, arrays)
    for folder in (staging / "rsa", staging / "pca", staging):
        fsync_folder(folder)
