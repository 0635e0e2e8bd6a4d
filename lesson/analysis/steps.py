"""Pure numpy computations behind the app's pages: an exercise function (the student's or the reference) on the bank.

Nothing here imports Streamlit or does I/O beyond reading the bank's arrays; every function takes the exercise
function to use, so the pages can pass the student's version or the reference one and cache the result by name.
A function that returns something of the wrong shape raises ``ResultShapeError`` with a message for the student.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "ResultShapeError", "as_display_rgb01", "redness_of_images", "rsa_order", "first_order", "second_order",
    "pca_spectrum", "components_needed", "block_boundaries", "type_pairs", "pair_table", "montage",
    "NEGLIGIBLE_VARIANCE",
]

NEGLIGIBLE_VARIANCE = 1e-10  # relative to the first component: what a log-scale plot leaves out (zero after centring)


class ResultShapeError(ValueError):
    """An exercise function returned something unusable for a plot (wrong shape, not numbers)."""


def _as_array(result, *, function_name: str, shape: tuple[int, ...] | None = None,
              ndim: int | None = None) -> np.ndarray:
    if hasattr(result, "detach") and hasattr(result, "cpu"):  # a torch tensor
        result = result.detach().cpu().numpy()
    try:
        array = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ResultShapeError(f"{function_name} returned {type(result).__name__}, not an array of numbers.") from error
    if shape is not None and array.shape != shape:
        raise ResultShapeError(f"{function_name} returned shape {array.shape}; expected {shape}.")
    if ndim is not None and array.ndim != ndim:
        raise ResultShapeError(f"{function_name} returned a {array.ndim}-D array of shape {array.shape}; "
                               f"expected {ndim}-D.")
    return array


def as_display_rgb01(images: np.ndarray) -> np.ndarray:
    """(n_images, height, width, 3) uint8 display images -> (n_images, 3, height, width) float32 in [0, 1]."""
    return np.ascontiguousarray(np.asarray(images).transpose(0, 3, 1, 2), dtype=np.float32) / np.float32(255.0)


def redness_of_images(images: np.ndarray, redness: Callable) -> np.ndarray:
    """(n_images,) redness of the display images, computed with the given ``redness`` function."""
    n_images = int(images.shape[0])
    return _as_array(redness(as_display_rgb01(images)), function_name="redness", shape=(n_images,))


def rsa_order(redness_values: np.ndarray, labels: np.ndarray, pick_redness_extrema: Callable, *,
              per_class: int, n_extreme: int) -> np.ndarray:
    """(n_classes * 2 * n_extreme,) int positions of the RSA images, from the given ``pick_redness_extrema``."""
    n_classes = int(np.unique(labels).size)
    picked = _as_array(pick_redness_extrema(np.array(redness_values), np.array(labels), per_class=per_class,
                                            n_extreme=n_extreme),
                       function_name="pick_redness_extrema", shape=(n_classes * 2 * n_extreme,))
    if not np.all(picked == np.round(picked)) or picked.min() < 0 or picked.max() >= len(labels):
        raise ResultShapeError("pick_redness_extrema returned something that is not a list of image positions "
                               f"between 0 and {len(labels) - 1}.")
    return picked.astype(np.int64)


def first_order(activations: np.ndarray, get_similarity_matrix: Callable) -> np.ndarray:
    """(n_images, n_images) first-order similarity of one layer, computed with the given function."""
    n_images = int(activations.shape[0])
    return _as_array(get_similarity_matrix(activations), function_name="get_similarity_matrix",
                     shape=(n_images, n_images))


def second_order(first_order_matrices: Sequence[np.ndarray] | np.ndarray,
                 second_order_similarity: Callable) -> np.ndarray:
    """(n_layers, n_layers) Spearman comparison of the layers' first-order matrices, with the given function."""
    matrices = [np.array(matrix) for matrix in first_order_matrices]  # fresh, writable copies: theirs to keep
    n_layers = len(matrices)
    return _as_array(second_order_similarity(matrices), function_name="second_order_similarity",
                     shape=(n_layers, n_layers))


def pca_spectrum(data_matrix: np.ndarray, pca: Callable) -> tuple[np.ndarray, np.ndarray]:
    """(variance_explained (k,), cumulative_variance_explained (k,)) of one layer's PCA, with the given ``PCA``."""
    result = pca(np.array(data_matrix))
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise ResultShapeError("PCA must return three things: components, variance_explained, "
                               f"cumulative_variance_explained; it returned {type(result).__name__}"
                               + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."))
    _, variance, cumulative = result
    variance = _as_array(variance, function_name="PCA (variance_explained)", ndim=1)
    cumulative = _as_array(cumulative, function_name="PCA (cumulative_variance_explained)", shape=variance.shape)
    return variance, cumulative


def components_needed(cumulatives: Sequence[np.ndarray], threshold: float, components_to_reach: Callable) -> np.ndarray:
    """(n_layers,) int: for each layer's cumulative fractions, how many components reach ``threshold``."""
    counts = []
    for cumulative in cumulatives:
        count = components_to_reach(np.array(cumulative), threshold=threshold)
        try:
            counts.append(int(count))
        except (TypeError, ValueError) as error:
            raise ResultShapeError(f"components_to_reach returned {count!r}; expected a whole number.") from error
    return np.asarray(counts, dtype=np.int64)


def block_boundaries(labels_in_order: np.ndarray, n_extreme: int) -> tuple[list[float], list[float]]:
    """Positions between cells (e.g. 9.5) where the class changes, and where a class's redness half changes."""
    labels_in_order = np.asarray(labels_in_order)
    class_edges = [index - 0.5 for index in range(1, len(labels_in_order))
                   if labels_in_order[index] != labels_in_order[index - 1]]
    starts = [0] + [int(edge + 0.5) for edge in class_edges]
    redness_edges = [start + n_extreme - 0.5 for start in starts if start + n_extreme < len(labels_in_order)]
    return class_edges, redness_edges


def type_pairs(layers: Sequence) -> list[tuple[int, int, str]]:
    """(position of a layer's input, position of the layer, relation) for every ReLU and dropout layer.

    ``layers`` are ``lesson.data.layers.Layer`` tuples in network order; the input of a layer is the one before it.
    """
    pairs = []
    for position in range(1, len(layers)):
        before, layer = layers[position - 1], layers[position]
        if layer.kind == "relu":
            pairs.append((position - 1, position, f"{before.kind} → relu"))
        elif layer.kind == "dropout":
            pairs.append((position - 1, position, "input → dropout"))
    return pairs


def pair_table(layers: Sequence, correct: np.ndarray, buggy: np.ndarray) -> list[dict]:
    """Rows comparing each (input, layer) pair's second-order similarity with correct and buggy extraction."""
    rows = []
    for first, second, relation in type_pairs(layers):
        rows.append({"pair": f"{layers[first].name} ↔ {layers[second].name}", "relation": relation,
                     "correct extraction": float(correct[first, second]),
                     "buggy extraction": float(buggy[first, second])})
    return rows


def montage(images: np.ndarray, n_columns: int, *, thumb: int = 64, gap: int = 2, group: int = 0,
            group_gap: int = 10, background: int = 255) -> np.ndarray:
    """Tile (n, h, w, 3) uint8 images into one (rows * thumb, columns * thumb, 3) uint8 picture.

    Every ``group`` columns (if > 0) an extra ``group_gap`` pixels of space separate the groups.
    """
    from PIL import Image

    images = np.asarray(images)
    n_images = images.shape[0]
    n_rows = max(1, -(-n_images // n_columns))
    n_groups_gaps = (n_columns - 1) // group if group else 0
    height = n_rows * thumb + (n_rows - 1) * gap
    width = n_columns * thumb + (n_columns - 1) * gap + n_groups_gaps * group_gap
    canvas = np.full((height, width, 3), background, dtype=np.uint8)
    for index in range(n_images):
        row, column = divmod(index, n_columns)
        small = np.asarray(Image.fromarray(np.ascontiguousarray(images[index])).resize((thumb, thumb), Image.LANCZOS))
        top = row * (thumb + gap)
        left = column * (thumb + gap) + (column // group if group else 0) * group_gap
        canvas[top:top + thumb, left:left + thumb] = small[..., :3]
    return canvas
