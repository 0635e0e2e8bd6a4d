"""Known mistakes and their hints; a wrong output gets a mistake's hint when it matches that mistake's signature.

A mistake's *signature* on a case is what the mistaken formulation returns for that case's inputs (kept only
where it differs from the right answer). Signatures are computed once, when a case is built (in the course
repository, by ``grader/judging/formulations.py``) and stored with the case, in fixtures too: so a student
release names the same known mistakes as the course repository without holding any formulation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from grader.judging.compare import Output, Tolerance, same_values, sign_fixed

__all__ = ["Mistake", "CATALOGUE", "diagnose", "diagnose_error", "diagnose_returned_type", "distinguishes",
           "TENSOR_INPUT", "TENSOR_OUTPUT"]


@dataclass(frozen=True)
class Mistake:
    id: str
    hint: str  # what went wrong and how to fix it, for a student
    part: int | None = None  # for tuple outputs (PCA): the one part that shows this mistake
    error: str = ""  # or: a regular expression matching the exception this mistake raises
    tensor_only: bool = False  # the error pattern only means this mistake when a torch tensor was passed
    key: str = ""  # names its signature when two mistakes share an id (default: the id)

    @property
    def signature(self) -> str:
        return self.key or self.id

    @property
    def shows_in_output(self) -> bool:
        """Recognised by its output (a signature), not by the exception it raises."""
        return not self.error


# Mistakes that show as an exception, for every exercise that accepts torch tensors.
TENSOR_INPUT = Mistake("numpy_only_method", "This case passes a torch tensor, which has no .astype, .copy or ddof=: "
                       "convert the input first with np.asarray(x) (a CPU tensor converts without copying).",
                       error=r"Tensor|torch", tensor_only=True)

_PART_RULE = Tolerance(atol=1e-4, rtol=1e-3, relative_to_max=True)  # PCA parts: a relative match is enough


# A mistake that shows in the type of what was returned, for every exercise.
TENSOR_OUTPUT = Mistake("returned_tensor", "Your function returned a torch tensor: the contract asks for a numpy "
                        "array. Convert the input first with np.asarray(x) and compute with numpy, or convert the "
                        "result with .numpy() (after .detach() if it needs a gradient).")


def diagnose_returned_type(got: Output) -> list[str]:
    """The hints of the mistakes that show in the type of the returned value (a torch tensor, also inside a tuple)."""
    parts = got.items if got.kind == "sequence" else (got,)
    return [TENSOR_OUTPUT.hint] if any(part.type_name.startswith("torch.") for part in parts) else []


def diagnose_error(mistakes, error_text: str, *, tensor: bool) -> list[str]:
    """The hints of the mistakes whose error pattern matches the exception the student's code raised."""
    return [mistake.hint for mistake in (*mistakes, TENSOR_INPUT)
            if mistake.error and (tensor or not mistake.tensor_only) and re.search(mistake.error, error_text)]


def distinguishes(mistake: Mistake, mistaken, expected, kind: str, tolerance: Tolerance):
    """What to store as ``mistake``'s signature given its output ``mistaken`` on a case (its one part for a
    PCA mistake), or None when that output cannot be told apart from ``expected`` (or is None: not applicable)."""
    if mistaken is None:
        return None
    if mistake.part is not None:
        if not isinstance(mistaken, tuple) or len(mistaken) != 3:
            return None
        mistaken_part, expected_part = np.asarray(mistaken[mistake.part]), np.asarray(expected[mistake.part])
        if mistake.part == 0:  # components: compared up to the sign of each row
            mistaken_part, expected_part = sign_fixed(mistaken_part), sign_fixed(expected_part)
        return None if same_values("array", _as_output(expected_part), mistaken_part, _PART_RULE) else mistaken_part
    mistaken_kind = "array" if kind == "count" and np.ndim(mistaken) else kind
    return None if same_values(mistaken_kind, _as_output(expected), mistaken, tolerance) else mistaken


def diagnose(mistakes, signatures: Mapping, got: Output, kind: str, tolerance: Tolerance) -> list[str]:
    """The hints of the mistakes whose signature on this case matches ``got``, in catalogue order.

    Several can match one case (on [0.5, 0.7, 0.9, 1.0], "index instead of count" and "summed again" both give
    2); the caller picks the one that explains the most cases.
    """
    hints: list[str] = []
    for mistake in mistakes:
        if mistake.signature not in signatures:
            continue
        mistaken = signatures[mistake.signature]
        if mistake.part is not None:
            if got.kind != "sequence" or len(got.items) != 3:
                continue
            got_part = got.items[mistake.part]
            if mistake.part == 0 and got_part.kind == "array":  # components: compare up to the sign of each row
                got_part = Output("array", got_part.type_name, sign_fixed(got_part.array))
            if same_values("array", got_part, np.asarray(mistaken), _PART_RULE):
                hints.append(mistake.hint)
            continue
        mistaken_kind = "array" if kind == "count" and np.ndim(mistaken) else kind
        if same_values(mistaken_kind, _number_as_array(got, mistaken), mistaken, tolerance):
            hints.append(mistake.hint)
    return list(dict.fromkeys(hints))


def _as_output(value) -> Output:
    if isinstance(value, Output):
        return value
    if isinstance(value, tuple):
        return Output("sequence", "tuple", items=tuple(_as_output(item) for item in value))
    array = np.asarray(value)
    return Output("number" if array.ndim == 0 else "array", "numpy.ndarray", array)


def _number_as_array(got: Output, mistaken) -> Output:
    """A single number matches a 0-d mistaken output (scipy's scalar for two rows)."""
    if got.kind == "number" and np.ndim(mistaken) == 0:
        return Output("array", got.type_name, got.array)
    return got


_STRICT = "Reaching the threshold exactly counts: compare with >= threshold, not >."
_TIES = ("Tied values must share the average of the ranks they span (scipy.stats.rankdata's default method, "
         "'average'); your ranks break ties another way.")

CATALOGUE: dict[str, tuple[Mistake, ...]] = {
    "get_similarity_matrix": (
        Mistake("not_flattened", "Flatten each image's response into one row first, activations.reshape(n_images, -1): "
                "np.corrcoef accepts at most 2-D input.", error=r"more than 2 dimensions|object too deep"),
        Mistake("units_not_images", "You correlated units (columns) instead of images (rows): np.corrcoef treats each "
                "row as one variable, so pass the (n_images, n_units) matrix itself, without .T or rowvar=False."),
        Mistake("reshape_mixes_images", "Flatten each image's response into one row with "
                "activations.reshape(n_images, -1); reshape(-1, n_images) mixes values of different images."),
        Mistake("covariance", "These are covariances: Pearson correlation also divides by the standard deviations "
                "of both images, so the diagonal is exactly 1."),
        Mistake("cosine", "This is cosine similarity: Pearson correlation first subtracts each image's own mean "
                "(over its units), then normalises."),
        Mistake("centred_over_images", "You centred each unit over the images (axis 0); the correlation between two "
                "images centres each image's vector over its units (axis 1)."),
        Mistake("mixed_ddof", "The diagonal is not 1: the covariance and the standard deviations use different "
                "denominators (n − 1 and n). Use the same ddof for both, or np.corrcoef."),
        Mistake("mixed_ddof", "The diagonal is not 1: the covariance and the standard deviations use different "
                "denominators (n and n − 1). Use the same ddof for both, or np.corrcoef.", key="mixed_ddof_2"),
        Mistake("nan_replaced", "An image whose response is constant has no correlation with anything: leave NaN in its "
                "row and column, as np.corrcoef does (no np.nan_to_num, no small epsilon added to the norm)."),
        Mistake("nan_replaced", "An image whose response is constant has no correlation with anything: leave NaN in its "
                "row and column, as np.corrcoef does (do not replace NaN, not even on the diagonal).", key="nan_replaced_2"),
        Mistake("ranked", "You ranked the activations first: the first-order similarity is the Pearson correlation of "
                "the activations themselves (Spearman is for the second-order comparison)."),
    ),
    "extract_lower_tri_entries": (
        Mistake("with_diagonal", "The diagonal is included: use np.tril_indices(n, k=-1), strictly below the diagonal, "
                "which gives n·(n−1)/2 entries."),
        Mistake("k_plus_one", "np.tril_indices(n, k=1) also takes the diagonal and the entries just above it; use k=-1."),
        Mistake("upper_triangle", "These are the entries above the diagonal (upper triangle). Take those below it, "
                "row by row: matrix[np.tril_indices(n, k=-1)]."),
        Mistake("column_major", "Right entries, wrong order: list them row by row, (1, 0), (2, 0), (2, 1), (3, 0), ... "
                "as np.tril_indices(n, k=-1) does; yours go column by column."),
        Mistake("selected_by_value", "You selected entries by their value (for example np.tril(m, -1) != 0), which drops "
                "entries that are 0. Select by position with np.tril_indices(n, k=-1)."),
        Mistake("masked_matrix", "np.tril(matrix, -1) keeps the (n, n) shape and zeroes the rest; index with "
                "np.tril_indices(n, k=-1) to get the entries themselves."),
        Mistake("masked_matrix", "np.tril(matrix, -1).ravel() keeps all n·n positions (zeros included); index with "
                "np.tril_indices(n, k=-1) to get the n·(n−1)/2 entries themselves.", key="masked_matrix_2"),
    ),
    "spearman_corrcoef": (
        Mistake("pearson", "This is the Pearson correlation of the values: rank each row first (ties get their average "
                "rank), then correlate the ranks."),
        Mistake("ordinal_ties", _TIES),
        Mistake("min_ties", _TIES),
        Mistake("dense_ties", _TIES),
        Mistake("scalar_for_two_rows", "For two rows scipy.stats.spearmanr returns a single number; the contract asks "
                "for the (2, 2) matrix [[1, r], [r, 1]] for any number of rows."),
        Mistake("scipy_nan_for_constant_row", "scipy.stats.spearmanr returns a single NaN as soon as one row is "
                "constant; the contract asks for the (m, m) matrix with NaN only in that row and column: rank with "
                "scipy.stats.rankdata(matrix, axis=1) and correlate the ranks with np.corrcoef."),
        Mistake("columns_as_variables", "Each row is a variable here: correlate rows (scipy.stats.spearmanr(matrix, "
                "axis=1)), not columns."),
        Mistake("ranked_wrong_axis", "Rank the values within each row (along axis 1, across its observations), not "
                "within each column."),
        Mistake("argsort_once", "np.argsort gives the positions that would sort a row, not the ranks: apply it twice, "
                "or use scipy.stats.rankdata."),
    ),
    "second_order_similarity": (
        Mistake("pearson", "Compare layers with the Spearman (rank) correlation of their lower triangles, not the "
                "Pearson correlation."),
        Mistake("whole_matrix", "Use only the entries strictly below the diagonal: the diagonal (all 1) and the "
                "mirrored upper triangle repeat information and change the ranks."),
        Mistake("with_diagonal", "The diagonal is included: it is 1 in every layer and adds ties; take the entries "
                "strictly below it (np.tril_indices(n, k=-1))."),
        Mistake("ordinal_ties", _TIES),
        Mistake("dict_keys", "Looping over a dict gives its keys (the layer names, strings), not the matrices: use "
                "similarity_matrices.values(), in the order given (or accept a list too: "
                "list(similarity_matrices.values()) if it is a dict).",
                error=r"string indices must be|could not convert string to float|'str' object|dtype\('<U|<U\d"),
        Mistake("dict_keys_sorted", "For a dict, its insertion order is the layer order: use "
                "list(similarity_matrices.values()) as given, without sorting by name."),
        Mistake("scalar_for_two_layers", "With two layers scipy.stats.spearmanr returns a single number; return the "
                "(2, 2) matrix for any number of layers."),
    ),
    "PCA": (
        Mistake("not_centred", "Centre each feature (column) on its mean over the samples before the SVD: "
                "data_matrix - data_matrix.mean(axis=0).", part=1),
        Mistake("centred_rows", "You centred each sample (row); PCA centres each feature (column): subtract "
                "data_matrix.mean(axis=0).", part=1),
        Mistake("divided_by_n", "Divide the squared singular values by n_samples − 1 (the unbiased variance), not by "
                "n_samples.", part=1),
        Mistake("not_squared", "The variance along a component is its singular value squared, divided by n − 1; you "
                "did not square the singular values.", part=1),
        Mistake("singular_values", "variance_explained should be the singular values squared divided by n − 1, not "
                "the singular values themselves.", part=1),
        Mistake("standardised", "Do not divide each feature by its standard deviation: this PCA works on the "
                "covariance of the centred data.", part=1),
        Mistake("ascending", "np.linalg.eigh returns eigenvalues in ascending order: reverse the eigenvalues (and the "
                "eigenvectors) so that the largest variance comes first.", part=1),
        Mistake("fraction_not_cumulative", "cumulative_variance_explained is the running total, "
                "np.cumsum(variance_explained) / variance_explained.sum(); you returned each component's own share.",
                part=2),
        Mistake("cumulative_not_normalised", "Divide the running total of the variances by the total variance, so "
                "that the last value is 1.0.", part=2),
        Mistake("components_as_columns", "Components are the rows of Vt from np.linalg.svd, shape (k, n_features); "
                "you returned them as columns.", part=0),
        Mistake("scores_not_axes", "You returned U (one row per sample); the principal axes are the rows of Vt (one "
                "entry per feature).", part=0),
        Mistake("full_matrices", "Use np.linalg.svd(centred, full_matrices=False) so that there are "
                "k = min(n_samples, n_features) components.", part=0),
    ),
    "components_to_reach": (
        Mistake("index_not_count", "Return a count, not an index: if cumulative[2] is the first to reach the "
                "threshold, 3 components are needed (add 1 to the index)."),
        Mistake("strict", _STRICT),
        Mistake("strict", _STRICT, key="strict_2"),
        Mistake("strict_index", "Two things: compare with >= (reaching the threshold exactly counts), and return a "
                "count, which is the index plus 1."),
        Mistake("ignores_threshold", "Use the threshold argument: yours always uses 0.8."),
        Mistake("summed_again", "The input is already cumulative: do not apply np.cumsum to it again."),
        Mistake("counted_reaching", "You counted the components at or above the threshold; the answer is how many "
                "components are needed to reach it: the position of the first one that does, plus 1."),
    ),
    "redness": (
        Mistake("channels_last", "Colour is axis 1: images are (n_images, 3, height, width), so the red channel is "
                "images[:, 0], not images[..., 0]."),
        Mistake("minus_sum", "Subtract the mean of green and blue, (G + B) / 2, not G + B."),
        Mistake("green_only", "Subtract the average of both the green and the blue channel means, not green alone."),
        Mistake("blue_only", "Subtract the average of both the green and the blue channel means, not blue alone."),
        Mistake("blue_for_red", "You took the blue channel as red: the channels are in RGB order, so red is "
                "images[:, 0] and blue is images[:, 2]; redness is R − (G + B) / 2."),
        Mistake("sign", "Redness is red minus the others, R − (G + B) / 2; yours has the opposite sign."),
        Mistake("sums", "Average each channel over its pixels (mean over height and width); you summed them."),
        Mistake("ratio", "Redness is a difference, R − (G + B) / 2, not a ratio."),
        Mistake("wrong_axes", "Average over height and width, axes (2, 3), to get one value per image and channel."),
    ),
    "pick_redness_extrema": (
        Mistake("least_red_descending", "List each class's least red images in ascending redness (least red first); "
                "yours are in descending order."),
        Mistake("all_candidates", "Only the first per_class images of each class are candidates: take "
                "np.flatnonzero(labels == label)[:per_class] before sorting."),
        Mistake("least_red_first", "For each class list the reddest first (descending), then the least red "
                "(ascending)."),
        Mistake("positions_in_class", "Return positions in the whole redness array (the class's candidate positions "
                "indexed by your order), not positions within the class."),
        Mistake("ties_reversed", "Equal redness must keep the original order: sort with np.argsort(-redness, "
                "kind='stable'); reading an ascending argsort backwards reverses ties."),
        Mistake("reddest_ascending", "The reddest images come in descending redness (the reddest first)."),
        Mistake("classes_by_appearance", "Take the classes in sorted order of their labels (np.unique(labels)), not "
                "in order of first appearance."),
    ),
}
