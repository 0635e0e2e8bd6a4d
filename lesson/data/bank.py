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
that extraction and comparing. Building a bank (``lesson.data.bank_build``) needs no exercise solution: the caller
passes the RSA selection.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from lesson.data.bank_check import verify_bank
from lesson.data.errors import BankDamaged, BankError
from lesson.data.images import PREPROCESSING
from lesson.data.layers import display_name

__all__ = ["ActivationBank", "BankError", "BankDamaged", "BANK_FORMAT", "bank_key", "load_bank", "library_versions"]

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
