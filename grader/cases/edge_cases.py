"""Hand-made edge cases, small enough to show: the first of each list is the plain case that tells a stub apart."""

from __future__ import annotations

import numpy as np

from grader.cases.case import Case, frozen

__all__ = ["EDGE_CASES"]


def _edge(name: str, about: str, *args, tensor: bool = False, **kwargs) -> Case:
    def freeze(value):
        if isinstance(value, np.ndarray):
            return frozen(value)
        if isinstance(value, dict):
            return {key: freeze(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], np.ndarray):
            return type(value)(freeze(item) for item in value)
        return value

    return Case(f"{'torch' if tensor else 'edge'}: {name}", tuple(freeze(a) for a in args), kwargs,
                group="edge", tensor=tensor, about=about)


_RNG = np.random.default_rng(2024)
_BASIC = np.array([[0.1, 0.9, 0.3, 0.5, 0.2, 0.8], [1.0, 2.0, 0.5, 3.0, 1.5, 2.5],
                   [3.0, 1.0, 2.0, 0.0, 4.0, 1.0], [0.2, 0.4, 0.3, 0.9, 0.1, 0.7]])
_CONSTANT_ROWS = _RNG.normal(size=(5, 6))
_CONSTANT_ROWS[1], _CONSTANT_ROWS[3] = 0.0, 2.0
_TIES = np.array([[1.0, 2.0, 2.0, 3.0, 5.0, 5.0, 5.0, 0.0], [4.0, 4.0, 1.0, 2.0, 3.0, 3.0, 0.0, 0.0],
                  [0.5, 0.1, 0.9, 0.9, 0.2, 0.3, 0.7, 0.1]])
_X = np.linspace(-2, 2, 7)
_LOWER_ZEROS = np.arange(1.0, 26.0).reshape(5, 5)
_LOWER_ZEROS[[2, 3, 4], [0, 2, 1]] = 0.0


def _symmetric(n: int, seed: int, ties: bool = False) -> np.ndarray:
    matrix = np.corrcoef(np.random.default_rng(seed).normal(size=(n, 9)))
    return np.round(matrix, 1) if ties else matrix


def _blocks(values: tuple[float, float, float]) -> np.ndarray:
    """A 6 x 6 similarity matrix made of 2 x 2 blocks: many equal entries (ties)."""
    within, near, far = values
    block = np.array([[1.0, within], [within, 1.0]])
    matrix = np.block([[block, np.full((2, 2), near), np.full((2, 2), far)],
                       [np.full((2, 2), near), block, np.full((2, 2), near)],
                       [np.full((2, 2), far), np.full((2, 2), near), block]])
    return matrix


def _pca_data(n_samples: int, scales, seed: int, offset: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    data = rng.normal(size=(n_samples, len(scales))) * np.asarray(scales, dtype=float)
    rotation = np.linalg.qr(rng.normal(size=(len(scales), len(scales))))[0]
    return data @ rotation + offset


def _circle() -> np.ndarray:
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    return np.column_stack([np.cos(angles), np.sin(angles), 0.1 * np.cos(3 * angles + 0.5)])


EDGE_CASES: dict[str, list[Case]] = {
    "get_similarity_matrix": [
        _edge("basic: 4 images x 6 units", "the Pearson correlation between every pair of rows", _BASIC),
        _edge("flatten (3, 2, 2, 2) activations", "each image's (channels, height, width) block is one vector",
              _RNG.normal(size=(3, 2, 2, 2))),
        _edge("two images", "the smallest input: a (2, 2) matrix", _RNG.normal(size=(2, 5))),
        _edge("constant rows give NaN", "an image whose response is constant (rows 1 and 3) has NaN in its row and "
              "column, as with np.corrcoef", _CONSTANT_ROWS),
        _edge("baseline and gain", "rows that differ only by an offset and a scale correlate with +1 or -1",
              np.stack([_X, 3 * _X + 5, 1 - _X, _X**2])),
        _edge("more images than units (6 x 3)", "rows are images, whatever the shape", _RNG.normal(size=(6, 3))),
        _edge("float32 activations", "float32 input gives the same correlations",
              _RNG.normal(size=(5, 4, 4)).astype(np.float32)),
        _edge("torch tensor", "a torch tensor in, a numpy array out", _RNG.normal(size=(4, 3, 2, 2)).astype(np.float32),
              tensor=True),
    ],
    "extract_lower_tri_entries": [
        _edge("basic: 4 x 4", "entries strictly below the diagonal, row by row", np.arange(16.0).reshape(4, 4)),
        _edge("2 x 2", "a single entry, matrix[1, 0]", np.array([[1.0, 0.3], [0.7, 1.0]])),
        _edge("1 x 1", "no entry at all: an empty array of shape (0,)", np.ones((1, 1))),
        _edge("zeros below the diagonal", "entries that are 0 are entries too", _LOWER_ZEROS),
        _edge("float32 matrix", "float32 input", np.arange(25.0).reshape(5, 5).astype(np.float32) / 7),
        _edge("symmetric similarity matrix", "a real correlation matrix", _symmetric(5, 1)),
        _edge("torch tensor", "a torch tensor in, a numpy array out", np.arange(9.0).reshape(3, 3), tensor=True),
    ],
    "spearman_corrcoef": [
        _edge("basic: 3 rows x 6", "rank each row, then correlate the ranks",
              np.array([[1.0, 5.0, 2.0, 8.0, 3.0, 9.0], [2.0, 1.0, 7.0, 4.0, 6.0, 3.0], [9.0, 2.0, 4.0, 1.0, 8.0, 5.0]])),
        _edge("two rows", "two rows still give a (2, 2) matrix", np.array([[1.0, 3.0, 2.0, 5.0, 4.0],
                                                                        [2.0, 1.0, 4.0, 3.0, 6.0]])),
        _edge("ties get average ranks", "equal values share the average of the ranks they span", _TIES),
        _edge("monotonic but not linear", "rows that rise together have Spearman correlation 1, whatever the curve",
              np.stack([_X, _X**3, np.exp(_X), -_X])),
        _edge("constant row gives NaN", "a row with a single repeated value has NaN in its row and column",
              np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0], [4.0, 1.0, 3.0, 2.0]])),
        _edge("two observations per row (4 x 2)", "the smallest number of observations",
              np.array([[1.0, 2.0], [2.0, 1.0], [0.0, 5.0], [3.0, -1.0]])),
        _edge("float32", "float32 input", np.round(_RNG.normal(size=(4, 9)), 1).astype(np.float32)),
        _edge("torch tensor", "a torch tensor in, a numpy array out", np.array([[1.0, 4.0, 2.0, 3.0],
                                                                             [2.0, 2.0, 1.0, 3.0]]), tensor=True),
    ],
    "second_order_similarity": [
        _edge("basic: 3 layers of 5 x 5", "Spearman correlation of the lower triangles, layer by layer",
              [_symmetric(5, seed) for seed in (2, 3, 4)]),
        _edge("two layers", "two layers still give a (2, 2) matrix", [_symmetric(6, 5), _symmetric(6, 6)]),
        _edge("dict in insertion order", "for a dict, its insertion order is the layer order (not sorted by name)",
              {"fc8": _symmetric(5, 7), "conv1": _symmetric(5, 8), "pool2": _symmetric(5, 9)}),
        _edge("ties inside the matrices", "equal similarities share average ranks",
              [_blocks((0.9, 0.5, 0.1)), _blocks((0.8, 0.8, 0.2)), _blocks((0.3, 0.6, 0.6)), _symmetric(6, 10, ties=True)]),
        _edge("float32 matrices", "float32 input", [_symmetric(6, s).astype(np.float32) for s in (11, 12, 13)]),
        _edge("a tuple of matrices", "any sequence of matrices", tuple(_symmetric(4, s) for s in (14, 15, 16))),
    ],
    "PCA": [
        _edge("basic: 6 samples x 3 features", "centre, SVD, variance with n - 1", _pca_data(6, (3.0, 1.0, 0.3), 1)),
        _edge("more features than samples (5 x 8)", "k = 5 components; the last one explains nothing",
              _pca_data(5, (4, 3, 2, 1.5, 1, 0.5, 0.2, 0.1), 2)),
        _edge("more samples than features (20 x 2)", "k = 2 components", _pca_data(20, (2.0, 0.5), 3)),
        _edge("far from the origin", "the mean of each feature is removed first", _pca_data(8, (2.0, 1.0, 0.5), 4, 100)),
        _edge("two equal variances (a circle)", "equal variances: only the plane they span is defined", _circle()),
        _edge("a repeated feature", "rank-deficient data: a feature that is a copy of another",
              np.column_stack([_pca_data(7, (2.0, 1.0), 5), _pca_data(7, (2.0, 1.0), 5)[:, :1]])),
        _edge("tiny: 2 samples x 3 features", "two samples have a single direction of variance",
              np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 1.5]])),
        _edge("float32 data", "float32 input", _pca_data(9, (3.0, 2.0, 1.0, 0.5), 6).astype(np.float32)),
        _edge("torch tensor", "a torch tensor in, numpy arrays out", _pca_data(6, (2.0, 1.0, 0.5), 7).astype(np.float32),
              tensor=True),
    ],
    "components_to_reach": [
        _edge("basic: default threshold 0.8", "the first count whose cumulative fraction reaches 0.8",
              np.array([0.5, 0.7, 0.9, 1.0])),
        _edge("exactly at the threshold", "a value equal to the threshold reaches it",
              np.array([0.2, 0.8, 1.0]), threshold=0.8),
        _edge("the first component is enough", "the smallest possible answer is 1",
              np.array([0.85, 0.95, 1.0]), threshold=0.8),
        _edge("threshold 1.0", "reaching 100 % needs every component here",
              np.array([0.25, 0.5, 0.75, 1.0]), threshold=1.0),
        _edge("another threshold: 0.5", "the threshold argument is used", np.array([0.3, 0.5, 0.6, 0.9, 1.0]),
              threshold=0.5),
        _edge("a plateau", "repeated values", np.array([0.4, 0.8, 0.8, 1.0]), threshold=0.9),
        _edge("float32 curve", "float32 input", np.array([0.5, 0.75, 0.875, 1.0], dtype=np.float32), threshold=0.75),
        _edge("a single component", "one component explains everything", np.array([1.0])),
    ],
    "redness": [
        _edge("basic: grey, red and blue", "grey gives 0, pure red 1, pure blue -0.5",
              np.stack([np.full((3, 2, 2), 0.5), np.stack([np.ones((2, 2)), np.zeros((2, 2)), np.zeros((2, 2))]),
                        np.stack([np.zeros((2, 2)), np.zeros((2, 2)), np.ones((2, 2))])])),
        _edge("non-square images (2, 3, 4, 7)", "height and width differ", _RNG.uniform(size=(2, 3, 4, 7))),
        _edge("one pixel per image", "images of 1 x 1 pixel", _RNG.uniform(size=(4, 3, 1, 1))),
        _edge("three columns (3, 3, 5, 3)", "width 3: colour is still axis 1", _RNG.uniform(size=(3, 3, 5, 3))),
        _edge("float32 images", "float32 input", _RNG.uniform(size=(3, 3, 4, 4)).astype(np.float32)),
        _edge("torch tensor", "a torch tensor in, a numpy array out", _RNG.uniform(size=(2, 3, 3, 4)).astype(np.float32),
              tensor=True),
    ],
    "pick_redness_extrema": [
        _edge("basic: 2 classes of 6, 2 extremes", "per class: 2 reddest (descending), then 2 least red (ascending)",
              np.array([0.1, 0.5, -0.2, 0.3, 0.0, 0.4, 0.2, -0.1, 0.6, 0.05, -0.3, 0.15]), np.repeat([0, 1], 6),
              per_class=6, n_extreme=2),
        _edge("only the first per_class are candidates", "images after the first per_class of a class are ignored",
              np.array([0.1, 0.2, 0.3, 0.0, -0.1, 0.9, -0.9, 0.5, 0.2, 0.1, 0.4, -0.2, 0.3, 0.6, -0.5, 0.0]),
              np.repeat([0, 1], 8), per_class=5, n_extreme=2),
        _edge("equal redness keeps the original order", "ties keep the order in which they appear",
              np.array([0.2, 0.5, 0.5, 0.1, 0.1, 0.5, 0.3, 0.3, 0.0, 0.3, 0.0, 0.0]), np.repeat([0, 1], 6),
              per_class=6, n_extreme=2),
        _edge("interleaved classes", "classes are taken in sorted label order; positions are into the whole array",
              np.round(_RNG.normal(size=15), 3), np.array([2, 0, 1] * 5), per_class=5, n_extreme=2),
        _edge("string labels", "labels may be strings (sorted: 'horn' before 'saw')",
              np.array([0.3, -0.2, 0.5, 0.1, 0.0, 0.4, -0.1, 0.2]),
              np.array(["saw", "horn"] * 4), per_class=4, n_extreme=1),
        _edge("float32 redness", "float32 input", np.linspace(-0.5, 0.5, 8, dtype=np.float32)[[3, 7, 1, 5, 0, 6, 2, 4]],
              np.repeat([0, 1], 4), per_class=4, n_extreme=1),
        _edge("default per_class and n_extreme", "per_class=40 and n_extreme=5 when not given",
              np.round(_RNG.normal(size=24), 3), np.repeat([0, 1], 12)),
    ],
}
