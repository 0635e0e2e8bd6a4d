"""The part of an activation bank that bank cases are made of: a public subsample, or a hidden one drawn from a key.

Every grading (the app's Check, the CLI, fixtures, official grades) makes its bank cases from such a subsample,
so that a case set has the same kinds and counts of cases wherever it is built:
- first-order RSA, all 21 layers: each layer's 40 RSA images, a crop of every channel's feature map (conv layers
  keep their (channels, height, width) shape, so flattening is still tested), or some units of a flat layer,
  at most ``RSA_UNITS`` units per image (a hidden crop: of 90 % of the channels);
- PCA: the 160 images, ``PCA_UNITS`` units of the bank's random unit draw, for ``PCA_LAYERS``;
- cumulative curves (components_to_reach): from PCA of all 21 layers on those units;
- redness: the 160 images at every ``PIXEL_STEP``-th pixel.
The public subsample takes the centre crop, the first units, evenly spaced units and pixels from (0, 0); a hidden
one takes crops, units and pixel offsets, the extrema settings, and an order of the images for
the extrema (each class's images kept in their order) from its random generator.
"""

from __future__ import annotations

import threading

import numpy as np

from grader.cases.variants import riffle

__all__ = ["RSA_UNITS", "PCA_UNITS", "PCA_LAYERS", "PIXEL_STEP", "SubsampledBank"]

RSA_UNITS = 1024
PCA_UNITS = 300
PCA_LAYERS = ("features.0", "features.4", "features.7", "features.11", "classifier.2", "classifier.5", "classifier.6")
PIXEL_STEP = 8


def _crop(activations: np.ndarray, budget: int, rng: np.random.Generator | None) -> np.ndarray:
    """(n, C, H, W) -> (n, C, s, s) crop with C·s² <= budget (grown until no image's row is constant), centred or
    at a drawn position; (n, U) -> (n, <= budget) units: evenly spaced, or a drawn sorted subset of at most 90 %."""
    activations = np.asarray(activations)
    if activations.ndim == 2:
        n_units = activations.shape[1]
        if rng is None:
            return np.ascontiguousarray(activations[:, ::-(-n_units // budget)])
        chosen = np.sort(rng.choice(n_units, size=min(budget, max(2, int(0.9 * n_units))), replace=False))
        return np.ascontiguousarray(activations[:, chosen])
    if rng is not None:  # a drawn 90 % of the channels, so that even a whole feature map differs from the public one
        kept = max(1, int(0.9 * activations.shape[1]))
        activations = activations[:, np.sort(rng.choice(activations.shape[1], size=kept, replace=False))]
    n, channels, height, width = activations.shape
    side = max(1, min(height, int((budget / channels) ** 0.5)))
    while True:
        if rng is None:
            top, left = (height - side) // 2, (width - side) // 2
        else:
            top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
        crop = np.ascontiguousarray(activations[:, :, top:top + side, left:left + side])
        flat = crop.reshape(n, -1)
        if side >= min(height, width) or np.all(flat.max(axis=1) > flat.min(axis=1)):
            return crop
        side += 1


class SubsampledBank:
    """The parts of an ActivationBank the bank cases read, subsampled (a BankContext's ``bank``).

    ``rng`` None: the public subsample; a generator: a hidden one (its draws happen here, in a fixed order, so the
    same key always gives the same cases).
    """

    def __init__(self, bank, rng: np.random.Generator | None = None):
        self._bank, self.path, self.provenance = bank, getattr(bank, "path", ""), bank.provenance
        self.layer_paths = tuple(bank.layer_paths)
        self.pca_layer_paths = tuple(path for path in PCA_LAYERS if path in self.layer_paths) or self.layer_paths
        self.labels, self.redness = np.asarray(bank.labels), np.asarray(bank.redness)
        if rng is not None:  # item i moves to position[i]
            position = riffle(rng, self.labels)
            labels, redness = np.empty_like(self.labels), np.empty_like(self.redness)
            labels[position], redness[position] = self.labels, self.redness
            self.labels, self.redness = labels, redness
        rows, columns = (0, 0) if rng is None else (int(rng.integers(0, PIXEL_STEP)), int(rng.integers(0, PIXEL_STEP)))
        self.images = np.ascontiguousarray(np.asarray(bank.images)[:, rows::PIXEL_STEP, columns::PIXEL_STEP, :])
        per_class, n_extreme = self.provenance["per_class"], self.provenance["n_extreme"]
        self.threshold = 0.8  # the lesson's threshold in both sets (what the public bank cases check)
        if rng is None:
            self.extrema = ((per_class, n_extreme), (per_class // 2, min(3, per_class // 4)))
        else:
            count = int(rng.integers(max(2, per_class // 2), per_class + 1))
            self.extrema = ((count, int(rng.integers(1, max(2, count // 4) + 1))),
                            (per_class // 2, int(rng.integers(1, max(2, per_class // 8) + 1))))
        # one seed per layer: a crop is the same whichever thread asks first, and however often
        self._rsa_seeds = {path: None if rng is None else int(rng.integers(2**63)) for path in self.layer_paths}
        total = int(np.asarray(bank.pca_activations(self.layer_paths[0])).shape[1])
        self._pca_units = {path: None if rng is None else np.sort(rng.choice(total, size=min(PCA_UNITS, total),
                                                                             replace=False))
                           for path in self.layer_paths}
        self._rsa: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def rsa_activations(self, layer_path: str) -> np.ndarray:
        with self._lock:
            if layer_path not in self._rsa:
                seed = self._rsa_seeds[layer_path]
                self._rsa[layer_path] = _crop(self._bank.rsa_activations(layer_path), RSA_UNITS,
                                              None if seed is None else np.random.default_rng(seed))
            return self._rsa[layer_path]

    def pca_activations(self, layer_path: str, n_units: int | None = None) -> np.ndarray:
        units = self._pca_units[layer_path]
        if units is None:
            return np.ascontiguousarray(self._bank.pca_activations(layer_path, PCA_UNITS))
        return np.ascontiguousarray(np.asarray(self._bank.pca_activations(layer_path))[:, units])
