"""The activation bank: AlexNet's responses to the lesson images, computed once, cached on disk with provenance.

Layout of ``<cache>/banks/<key>/`` (numpy files, readable without torch):
    provenance.json          where everything came from, the layer table, the image names
    images.npy               (n_images, 224, 224, 3) uint8, what the network saw, for display
    labels.npy, redness.npy  (n_images,)
    top5_classes.npy         (n_images, 5) int64, fc8's five most probable ImageNet classes, most probable first
    top5_probabilities.npy   (n_images, 5) float32, their softmax probabilities
    rsa_indices.npy          (n_rsa,) positions of the RSA images, in RSA order
    rsa/<layer>.npy          (n_rsa, *layer shape) float32, full activations
    pca/<layer>.npy          (n_images, n_stored_units) float32, a nested random draw of units

Every image is a PCA image (the first ``pca_per_class`` of each class, 400 by default); the RSA images are
chosen among the first ``per_class`` (40) of each class. ``provenance["categories"]`` holds the 1000 ImageNet
class names of the weights' metadata, indexed by ``top5_classes``.

The in-place ReLU pitfall is recorded as data, not matrices: ``provenance["pitfall_sources"]`` names, for each
layer, the layer whose correct activations a buggy (un-copied) extraction really stored; it is found by running
that extraction and comparing. Building a bank needs no exercise solution: the caller passes the RSA selection.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from lesson.data.bank_check import array_records, fsync_file, fsync_folder, set_aside, verify_bank, write_stamp
from lesson.data.errors import BankDamaged, BankError
from lesson.data.images import PREPROCESSING, ImageSet
from lesson.data.layers import LAYER_PATHS, display_name

__all__ = ["ActivationBank", "BankError", "BankDamaged", "BANK_FORMAT", "bank_key", "build_bank", "load_bank",
           "library_versions"]

BANK_FORMAT = 3  # bump when the layout or the computation changes
Progress = Callable[[str, float], None]  # (what is happening, fraction done in [0, 1])


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("numpy", "scipy", "torch", "torchvision", "pillow"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def bank_key(*, weights_sha256: str, manifest_sha256: str, settings_part: dict, torch_version: str) -> str:
    """A short hash of everything that changes the bank's values."""
    material = json.dumps({"format": BANK_FORMAT, "weights": weights_sha256, "images": manifest_sha256,
                           "preprocessing": PREPROCESSING, "torch": torch_version, **settings_part}, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ActivationBank:
    """A read-only view of one bank directory; arrays are memory-mapped and loaded on first use."""

    path: Path

    @cached_property
    def provenance(self) -> dict:
        return json.loads((self.path / "provenance.json").read_text())

    @property
    def key(self) -> str:
        return self.provenance["key"]

    @property
    def layer_paths(self) -> tuple[str, ...]:
        return tuple(self.provenance["layer_paths"])

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(display_name(path) for path in self.layer_paths)

    @property
    def layer_table(self) -> list[dict]:
        return self.provenance["layer_table"]

    @property
    def class_names(self) -> tuple[str, ...]:
        return tuple(self.provenance["images"]["class_names"])

    @property
    def image_names(self) -> tuple[str, ...]:
        return tuple(self.provenance["images"]["names"])

    @property
    def is_pretrained(self) -> bool:
        return self.provenance["weights"]["kind"] == "pretrained"

    @property
    def is_lesson_images(self) -> bool:
        return self.provenance["images"]["source"] == "imagenette"

    def _array(self, name: str) -> np.ndarray:
        return np.load(self.path / name, mmap_mode="r", allow_pickle=False)

    @cached_property
    def images(self) -> np.ndarray:
        return self._array("images.npy")

    @cached_property
    def labels(self) -> np.ndarray:
        return np.load(self.path / "labels.npy", allow_pickle=False)

    @cached_property
    def redness(self) -> np.ndarray:
        return np.load(self.path / "redness.npy", allow_pickle=False)

    @cached_property
    def rsa_indices(self) -> np.ndarray:
        return np.load(self.path / "rsa_indices.npy", allow_pickle=False)

    def rsa_activations(self, layer_path: str) -> np.ndarray:
        """(n_rsa, *layer shape) float32: the layer's full response to the RSA images, in RSA order."""
        return self._array(f"rsa/{layer_path}.npy")

    def pca_activations(self, layer_path: str, n_units: int | None = None) -> np.ndarray:
        """(n_images, n_units) float32: the first ``n_units`` of the layer's stored random draw (default: the lesson's)."""
        stored = self._array(f"pca/{layer_path}.npy")
        n_units = self.provenance["pca_units"] if n_units is None else n_units
        return stored[:, :n_units]

    @cached_property
    def top5(self) -> tuple[np.ndarray, np.ndarray]:
        """``(classes (n_images, 5) int64, probabilities (n_images, 5) float32)``: fc8's five most probable
        ImageNet classes per image (indices into ``categories``), most probable first."""
        return (np.load(self.path / "top5_classes.npy", allow_pickle=False),
                np.load(self.path / "top5_probabilities.npy", allow_pickle=False))

    @property
    def categories(self) -> tuple[str, ...]:
        """The 1000 ImageNet class names of the weights' metadata, in fc8's order."""
        return tuple(self.provenance["categories"])

    def first_per_class(self, per_class: int) -> np.ndarray:
        """Positions of the first ``per_class`` images of each class (all of a smaller class), in bank order."""
        labels = self.labels
        return np.concatenate([np.flatnonzero(labels == label)[:per_class] for label in np.unique(labels)])

    @property
    def pitfall_sources(self) -> tuple[str, ...]:
        """Per layer, the layer whose correct output an extraction without copies stored (conv1 -> relu1, ...)."""
        return tuple(self.provenance["pitfall_sources"])

    def pitfall_activations(self, layer_path: str) -> np.ndarray:
        """(n_rsa, ...) what the buggy extraction recorded for this layer (conv outputs already ReLU'd)."""
        return self.rsa_activations(self.pitfall_sources[self.layer_paths.index(layer_path)])


def load_bank(path: Path) -> ActivationBank:
    """Open a finished bank directory, or raise ``BankError`` saying how to build one."""
    path = Path(path)
    marker = path / "provenance.json"
    if not marker.is_file():
        if path.is_dir():
            raise BankDamaged(f"the activation bank at {path} is incomplete: its provenance.json is missing")
        raise BankError(f"no activation bank at {path}. Build it with `python -m lesson prepare`.")
    bank = ActivationBank(path)
    try:
        provenance = bank.provenance
        if not isinstance(provenance, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as error:
        raise BankDamaged(f"the activation bank's {marker} cannot be read ({error})") from error
    if provenance.get("format") != BANK_FORMAT:
        raise BankError(f"the activation bank at {path} has format {provenance.get('format')}, this version "
                        f"reads {BANK_FORMAT}. Delete it and run `python -m lesson prepare` again.")
    verify_bank(path, provenance)  # sizes always; checksums of the files changed since the last full check
    return bank


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
