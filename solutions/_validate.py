"""Input checks shared by the reference solutions: convert, then fail with a message that says how to fix it."""

from __future__ import annotations

import numpy as np

__all__ = ["as_float_array"]


def as_float_array(values, *, name: str, min_ndim: int = 1, max_ndim: int | None = None) -> np.ndarray:
    """Return ``values`` as a float numpy array (float32 stays float32), checking its dimensions.

    Accepts numpy arrays, array-likes and CPU torch tensors (anything with ``.detach().cpu().numpy()``).
    """
    if hasattr(values, "detach") and hasattr(values, "cpu"):  # a torch tensor, without importing torch
        values = values.detach().cpu().numpy()
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}. "
                        "Pass a numpy array or a torch tensor of floats.")
    if array.dtype not in (np.float32, np.float64):
        array = array.astype(np.float64)
    if array.ndim < min_ndim or (max_ndim is not None and array.ndim > max_ndim):
        wanted = f"{min_ndim}-D" if max_ndim == min_ndim else f"at least {min_ndim}-D"
        if max_ndim is not None and max_ndim != min_ndim:
            wanted = f"{min_ndim}-D to {max_ndim}-D"
        raise ValueError(f"{name} must be {wanted}, got {array.ndim}-D with shape {array.shape}.")
    return array
