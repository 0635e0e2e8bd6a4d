"""Build grading fixtures from an activation bank with the reference solutions (instructor side only).

What goes in, and why it is small: the edge and seeded random cases as they are; the bank cases on a subsample
of the bank (inputs of the lesson's real data, expected outputs computed on exactly those inputs):
- first-order RSA, all 21 layers: each layer's 40 RSA images, a centre crop of every channel's feature map
  (conv layers keep their (channels, height, width) shape, so flattening is still tested), or evenly spaced
  units of a flat layer, at most ``RSA_UNITS`` units per image;
- PCA: all the bank's PCA images (400), the first ``PCA_UNITS`` units of the bank's random unit draw, for ``PCA_LAYERS``;
- cumulative curves (components_to_reach): from PCA of all 21 layers on those units;
- redness: every bank image with every ``PIXEL_STEP``-th pixel.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.cases.case_sources import GROUPS, ReferenceSource
from grader.cases.fixtures import write_fixtures
from grader.registry import EXERCISES

__all__ = ["RSA_UNITS", "PCA_UNITS", "PCA_LAYERS", "PIXEL_STEP", "build_fixtures", "stand_in_selection"]

RSA_UNITS = 1024
PCA_UNITS = 300
PCA_LAYERS = ("features.0", "features.4", "features.7", "features.11", "classifier.2", "classifier.5", "classifier.6")
PIXEL_STEP = 8


def _crop(activations: np.ndarray, budget: int) -> np.ndarray:
    """(n, C, H, W) -> (n, C, s, s) centre crop with C·s² <= budget (grown until no image's row is constant);
    (n, U) -> (n, <= budget) evenly spaced units."""
    activations = np.asarray(activations)
    if activations.ndim == 2:
        step = -(-activations.shape[1] // budget)
        return np.ascontiguousarray(activations[:, ::step])
    n, channels, height, width = activations.shape
    side = max(1, min(height, int((budget / channels) ** 0.5)))
    while True:
        top, left = (height - side) // 2, (width - side) // 2
        crop = np.ascontiguousarray(activations[:, :, top:top + side, left:left + side])
        flat = crop.reshape(n, -1)
        if side >= min(height, width) or np.all(flat.max(axis=1) > flat.min(axis=1)):
            return crop
        side += 1


class _Subsampled:
    """The parts of an ActivationBank the bank cases read, subsampled (a BankContext's ``bank``)."""

    def __init__(self, bank, layer_paths=None):
        self._bank = bank
        self.provenance = bank.provenance
        self.layer_paths = tuple(layer_paths or bank.layer_paths)
        self.labels, self.redness = np.asarray(bank.labels), np.asarray(bank.redness)
        self.images = np.ascontiguousarray(np.asarray(bank.images)[:, ::PIXEL_STEP, ::PIXEL_STEP, :])

    def rsa_activations(self, layer_path: str) -> np.ndarray:
        return _crop(self._bank.rsa_activations(layer_path), RSA_UNITS)

    def pca_activations(self, layer_path: str, n_units: int | None = None) -> np.ndarray:
        return np.ascontiguousarray(self._bank.pca_activations(layer_path, PCA_UNITS))


def stand_in_selection(settings) -> dict:
    """The RSA selection of the deterministic synthetic stand-in images (so a release builds the same bank)."""
    from lesson.data.images import make_synthetic
    from lesson.data.rsa_selection import rsa_selection

    images = make_synthetic(per_class=settings.images_loaded_per_class)
    redness, indices, order = rsa_selection(images, settings)
    return _selection(images.manifest_sha256, settings, redness, indices, order, "synthetic stand-in images")


def _selection(manifest_sha256, settings, redness, indices, order, source) -> dict:
    return {"manifest_sha256": manifest_sha256, "per_class": settings.images_per_class,
            "n_extreme": settings.n_extreme, "redness": np.asarray(redness), "rsa_indices": np.asarray(indices),
            "rsa_order": order, "source": source}


def _compact(case):
    """Bank PCA cases keep their expected components in float32 (half the bytes; compared within 1e-3)."""
    if case.group == "bank" and isinstance(case.expected, tuple) and len(case.expected) == 3:
        components, variance, cumulative = case.expected
        return replace(case, expected=(np.asarray(components, dtype=np.float32), variance, cumulative))
    return case


def build_fixtures(bank, out_dir, *, settings, selections=None) -> dict:
    """Compute every exercise's cases on (a subsample of) ``bank`` with the reference solutions and write them."""
    everything = ReferenceSource(_Subsampled(bank))
    pca_only = ReferenceSource(_Subsampled(bank, PCA_LAYERS))
    cases = {}
    for exercise in EXERCISES:
        source = pca_only if exercise.name == "PCA" else everything
        cases[exercise.name] = [_compact(case) for case in source.cases(exercise, GROUPS)]
    provenance = {key: value for key, value in ReferenceSource.for_bank(bank).provenance().items()
                  if key not in ("source", "bank_path")}
    if selections is None:
        selections = [_selection(bank.provenance["images"]["manifest_sha256"], settings, bank.redness,
                                 bank.rsa_indices, bank.provenance.get("rsa_order", ""),
                                 bank.provenance["images"].get("description", "the instructor's images"))]
        stand_in = stand_in_selection(settings)
        if stand_in["manifest_sha256"] != selections[0]["manifest_sha256"]:
            selections.append(stand_in)
    subsample = {"rsa_units": RSA_UNITS, "pca_units": PCA_UNITS, "pca_layers": list(PCA_LAYERS),
                 "pixel_step": PIXEL_STEP,
                 "about": "bank cases use a subsample of the bank: RSA inputs cropped to at most rsa_units units "
                          "per image, PCA on the first pca_units units of pca_layers, images every pixel_step-th pixel"}
    return write_fixtures(out_dir, cases, provenance=provenance, selections=selections, extra={"subsample": subsample})
