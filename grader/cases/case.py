"""Test cases: the Case record, seeded random cases, and cases on the activation bank (inputs; expected values optional)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

__all__ = ["Case", "BankContext", "RANDOM_CASES", "BANK_CASES", "PUBLIC_SEEDS", "frozen", "random_cases"]


@dataclass(frozen=True, eq=False)
class Case:
    """One call of an exercise function: its arguments and, once a source has filled it in, the expected output."""

    name: str  # shown to people: "edge: constant rows give NaN", "bank: conv1 (features.0)", "random: seed 2"
    args: tuple  # arrays, lists or dicts of arrays, numbers, strings
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    group: str = "edge"  # "edge" | "random" | "bank"
    hidden: bool = False  # the expected values are never shown (bank and random cases)
    tensor: bool = False  # pass the arrays as torch tensors (only where torch is importable; skipped otherwise)
    about: str = ""  # what this case checks, in the student's words
    expected: Any = None
    # known mistake id -> that mistake's output on this case (only where it differs from ``expected``), computed
    # when the case is built; the hints compare a wrong output with these, so no grader needs the formulations
    signatures: Mapping[str, Any] = field(default_factory=dict)


class BankContext(Protocol):
    """What the bank cases need: the bank and reference results shared between exercises (cached by the source)."""

    bank: Any

    def first_order(self) -> dict[str, np.ndarray]: ...  # layer path -> (n_rsa, n_rsa) reference matrix

    def pca(self, layer_path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...

    def images01(self) -> np.ndarray: ...  # (n_images, 3, 224, 224) float32 in [0, 1]


def frozen(array) -> np.ndarray:
    """A read-only view, so that no comparison or hint can change a cached input by accident."""
    array = np.asarray(array)
    view = array.view()
    view.flags.writeable = False
    return view


def _layer_label(layer_path: str) -> str:
    try:
        from lesson.data.layers import display_name

        return f"{display_name(layer_path)} ({layer_path})"
    except (ImportError, KeyError):
        return layer_path


# ---- seeded random cases (hidden) ----

def _random(name: str, seed: int, *args, **kwargs) -> Case:
    return Case(f"random: {name} (seed {seed})", tuple(frozen(a) if isinstance(a, np.ndarray) else a for a in args),
                kwargs, group="random", hidden=True)


def _responses(rng, shape) -> np.ndarray:
    """Activations with a different baseline and gain per image, some units silenced as by a ReLU; drawn again
    while some image's response is constant (its correlations are undefined: only an edge case tests that, with
    values whose mean is exact in float32 too)."""
    while True:
        values = rng.normal(size=shape) * rng.uniform(0.5, 3, size=(shape[0],) + (1,) * (len(shape) - 1))
        values += rng.normal(0, 2, size=(shape[0],) + (1,) * (len(shape) - 1))
        values = np.maximum(values, np.quantile(values, 0.2))
        flat = values.reshape(shape[0], -1)
        if np.all(flat.max(axis=1) > flat.min(axis=1)):
            return values


def _similarities(rng, n_layers: int, n_images: int, ties: bool = False) -> list[np.ndarray]:
    matrices = []
    for _ in range(n_layers):
        matrix = np.corrcoef(rng.normal(size=(n_images, 12)) + rng.normal(size=(1, 12)))
        matrices.append(frozen(np.round(matrix, 1) if ties else matrix))
    return matrices


def _curve(rng, k: int) -> np.ndarray:
    variance = np.sort(rng.exponential(size=k) ** 2)[::-1]
    curve = np.cumsum(variance) / variance.sum()
    curve[-1] = 1.0
    return curve


def _threshold_away_from(curve: np.ndarray, threshold: float) -> float:
    """The threshold, nudged down until no value of the curve is within float32 rounding of it (so that a
    float32 computation of the same curve gives the same count)."""
    while np.min(np.abs(curve - threshold)) < 1e-6:
        threshold -= 2e-6
    return threshold


# The public random cases' seeds, one per (exercise, draw); a hidden case set derives its own from its key.
PUBLIC_SEEDS = {("get_similarity_matrix", 0): 1, ("get_similarity_matrix", 1): 2, ("get_similarity_matrix", 2): 3,
                ("extract_lower_tri_entries", 0): 4, ("extract_lower_tri_entries", 1): 5, ("spearman_corrcoef", 0): 6,
                ("second_order_similarity", 0): 7, ("PCA", 0): 8, ("components_to_reach", 0): 9, ("redness", 0): 10,
                ("pick_redness_extrema", 0): 11}


def random_cases(seed=lambda exercise, draw: PUBLIC_SEEDS[exercise, draw]) -> dict[str, list[Case]]:
    """The seeded random cases: the same kinds and counts for every ``seed(exercise, draw) -> int``."""
    cases: dict[str, list[Case]] = {name: [] for name in ("get_similarity_matrix", "extract_lower_tri_entries",
                                                          "spearman_corrcoef", "second_order_similarity", "PCA",
                                                          "components_to_reach", "redness", "pick_redness_extrema")}

    def rng_of(name, draw=0):
        value = seed(name, draw)
        return value, np.random.default_rng(value)

    for draw, shape in enumerate(((12, 3, 5, 5), (30, 200), (7, 4, 9))):
        value, rng = rng_of("get_similarity_matrix", draw)
        cases["get_similarity_matrix"].append(_random(f"activations {shape}", value, _responses(rng, shape)))
    for draw, n in enumerate((7, 12)):
        value, rng = rng_of("extract_lower_tri_entries", draw)
        cases["extract_lower_tri_entries"].append(_random(f"{n} x {n} matrix", value, rng.normal(size=(n, n))))
    value, rng = rng_of("spearman_corrcoef")
    cases["spearman_corrcoef"] += [_random("5 x 30 with ties", value, rng.integers(0, 8, size=(5, 30)).astype(float)),
                                   _random("3 x 50", value, rng.normal(size=(3, 50)) ** 3),
                                   _random("8 x 12 with ties", value, np.round(rng.normal(size=(8, 12)), 1))]
    value, rng = rng_of("second_order_similarity")
    cases["second_order_similarity"] += [_random("4 layers of 9 x 9", value, _similarities(rng, 4, 9)),
                                         _random("3 layers of 6 x 6 with ties", value,
                                                 _similarities(rng, 3, 6, ties=True))]
    value, rng = rng_of("PCA")
    for shape in ((50, 10), (12, 30), (25, 25)):
        data = rng.normal(size=shape) * np.geomspace(4, 0.2, shape[1]) + rng.normal(0, 5, size=shape[1])
        cases["PCA"].append(_random(f"data {shape}", value, data @ np.linalg.qr(rng.normal(size=(shape[1],) * 2))[0]))
    value, rng = rng_of("components_to_reach")
    for k, threshold in ((10, 0.8), (40, 0.9), (25, 0.55)):
        curve = _curve(rng, k)
        cases["components_to_reach"].append(_random(f"{k} components, threshold {threshold}", value, frozen(curve),
                                                    threshold=_threshold_away_from(curve, threshold)))
    value, rng = rng_of("redness")
    cases["redness"] += [_random("images (4, 3, 6, 5)", value, rng.uniform(size=(4, 3, 6, 5))),
                         _random("float32 images (3, 3, 8, 8)", value,
                                 rng.uniform(size=(3, 3, 8, 8)).astype(np.float32))]
    value, rng = rng_of("pick_redness_extrema")
    labels = rng.permutation(np.repeat([3, 1, 2], 9))
    cases["pick_redness_extrema"].append(_random("3 shuffled classes of 9", value, rng.normal(size=27), labels,
                                                 per_class=7, n_extreme=2))
    return cases


_random_cases = random_cases  # (the name the tests knew)


RANDOM_CASES: dict[str, list[Case]] = _random_cases()


# ---- cases on the activation bank (hidden): the lesson's real data ----

def _bank(name: str, *args, expected=None, **kwargs) -> Case:
    return Case(f"bank: {name}", args, kwargs, group="bank", hidden=True, expected=expected)


def _first_order_cases(context: BankContext) -> list[Case]:
    references = context.first_order()
    return [_bank(_layer_label(path), frozen(context.bank.rsa_activations(path)), expected=references[path])
            for path in context.bank.layer_paths]


def _lower_triangle_cases(context: BankContext) -> list[Case]:
    references, paths = context.first_order(), context.bank.layer_paths
    chosen = (paths[0], paths[len(paths) // 2], paths[-1])
    return [_bank(f"first-order matrix of {_layer_label(path)}", references[path]) for path in chosen]


def _spearman_cases(context: BankContext) -> list[Case]:
    references = context.first_order()
    rows = [matrix[np.tril_indices(len(matrix), k=-1)] for matrix in references.values()]
    return [_bank(f"lower triangles of the {len(rows)} first-order matrices", frozen(np.stack(rows)))]


def _second_order_cases(context: BankContext) -> list[Case]:
    references = context.first_order()
    return [_bank(f"dict of the {len(references)} first-order matrices, in layer order", dict(references)),
            _bank(f"list of the {len(references)} first-order matrices", list(references.values()))]


def _pca_cases(context: BankContext) -> list[Case]:
    paths = getattr(context.bank, "pca_layer_paths", context.bank.layer_paths)
    return [_bank(f"{_layer_label(path)}, {context.bank.pca_activations(path).shape[1]} units",
                  frozen(context.bank.pca_activations(path)), expected=context.pca(path)) for path in paths]


def _components_cases(context: BankContext) -> list[Case]:
    cases = []
    for path in context.bank.layer_paths:
        curve = frozen(context.pca(path)[2])
        cases.append(_bank(f"cumulative curve of {_layer_label(path)}", curve,
                           threshold=_threshold_away_from(curve, getattr(context.bank, "threshold", 0.8))))
    return cases


def _redness_cases(context: BankContext) -> list[Case]:
    images = context.images01()
    return [_bank(f"the {len(images)} lesson images, {images.shape[2]} x {images.shape[3]} pixels", images)]


def _extrema_cases(context: BankContext) -> list[Case]:
    bank = context.bank
    per_class, n_extreme = bank.provenance["per_class"], bank.provenance["n_extreme"]
    redness, labels = frozen(bank.redness), frozen(bank.labels)
    settings = getattr(bank, "extrema", ((per_class, n_extreme), (per_class // 2, min(3, per_class // 4))))
    return [_bank(f"lesson images, per_class={count}, n_extreme={extreme}", redness, labels, per_class=count,
                  n_extreme=extreme) for count, extreme in settings]


BANK_CASES = {
    "get_similarity_matrix": _first_order_cases,
    "extract_lower_tri_entries": _lower_triangle_cases,
    "spearman_corrcoef": _spearman_cases,
    "second_order_similarity": _second_order_cases,
    "PCA": _pca_cases,
    "components_to_reach": _components_cases,
    "redness": _redness_cases,
    "pick_redness_extrema": _extrema_cases,
}
