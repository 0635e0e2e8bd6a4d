"""AlexNet: load it (pretrained, from a file, or random), describe its layers, and record layer activations safely.

The model is torchvision's: ``torchvision.models.alexnet`` with the weights of ``AlexNet_Weights.IMAGENET1K_V1``
(their url, file hash, ImageNet categories and preprocessing). Only the process that builds the bank imports
this module; the app and the grader read the bank with numpy alone.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import torch
from torch import nn
from torchvision.models import AlexNet_Weights, alexnet

from lesson.data.errors import DataError
from lesson.data.layers import LAYER_PATHS, LAYERS
from lesson.data.weights import WeightsInfo

__all__ = [
    "PRETRAINED", "WeightsError", "build_model", "imagenet_categories", "network_input", "layer_table",
    "stream_layer_outputs", "iter_layer_outputs", "extract_activations", "unit_subsample", "unit_seed",
    "memory_order_view",
]

PRETRAINED = AlexNet_Weights.IMAGENET1K_V1  # url, file hash, meta["categories"], transforms()


class WeightsError(DataError, RuntimeError):
    """The weights file could not be loaded into AlexNet; the message says what to do."""


def imagenet_categories() -> list[str]:
    """The 1000 ImageNet class names, in the order of fc8's outputs (the weights' own metadata)."""
    return list(PRETRAINED.meta["categories"])


_SAVE_HINT = "Save a plain AlexNet state dict with torch.save(model.state_dict(), path), or unset LESSON_WEIGHTS."
_WRAPPERS = ("state_dict", "model_state_dict", "model")  # checkpoints that hold the state dict under one key


def _read_error(path, error: BaseException) -> WeightsError:
    """A message for a file torch could not read, keeping torch's useful line but never its advice to turn off
    ``weights_only`` (which would let a file run code)."""
    with open(path, "rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"  # torch's format since 1.6
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    useful = [line for line in lines if "weights_only" not in line and "Weights only load failed" not in line]
    detail = f" ({useful[0]})" if useful else ""
    if isinstance(error, pickle.UnpicklingError) and is_zip:
        return WeightsError(f"weights file {str(path)!r} holds Python objects other than tensors{detail}; it was not "
                            "loaded, since loading such a file can run code. " + _SAVE_HINT)
    return WeightsError(f"weights file {str(path)!r} is not a readable torch file: it is damaged, truncated or of "
                        f"another format{detail}. " + _SAVE_HINT)


def _plain_state_dict(path, loaded) -> dict:
    """The state dict in ``loaded``: unwrapped from a checkpoint ({"state_dict": ...}), "module." prefixes of
    DataParallel removed, floating tensors as float32 (a half-precision file computes in float32 here)."""
    if isinstance(loaded, dict):
        for key in _WRAPPERS:
            if isinstance(loaded.get(key), dict) and not any(isinstance(value, torch.Tensor) for value in loaded.values()):
                loaded = loaded[key]
                break
    if not isinstance(loaded, dict) or not all(isinstance(value, torch.Tensor) for value in loaded.values()):
        kind = type(loaded).__name__ if not isinstance(loaded, dict) else "dict with non-tensor values"
        raise WeightsError(f"weights file {str(path)!r} holds a {kind}, not a state dict of tensors"
                           + (f" (keys: {', '.join(map(str, list(loaded)[:8]))})" if isinstance(loaded, dict) else "")
                           + ". " + _SAVE_HINT)
    if loaded and all(str(key).startswith("module.") for key in loaded):
        loaded = {str(key).removeprefix("module."): value for key, value in loaded.items()}
    return {key: value.float() if value.is_floating_point() and value.dtype != torch.float32 else value
            for key, value in loaded.items()}


def _architecture_error(path, error: BaseException) -> WeightsError:
    """Every line of torch's report (missing keys, unexpected keys, size mismatches), in full."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    body = "\n  ".join(lines[1:] if len(lines) > 1 and lines[0].startswith("Error(s) in loading") else lines)
    return WeightsError(f"weights file {str(path)!r} is not an AlexNet state dict (torchvision's layout: features.0, "
                        f"..., classifier.6):\n  {body}\n" + _SAVE_HINT)


def _load_state_dict(path) -> dict:
    """The file's tensors, memory-mapped when the file is in torch's zip format (since torch 1.6), else read
    (older files, such as torchvision's original AlexNet checkpoint, may use the legacy format)."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except RuntimeError as error:
        if "mmap" not in str(error):
            raise
        return torch.load(path, map_location="cpu", weights_only=True)


def build_model(weights: WeightsInfo) -> nn.Module:
    """``torchvision.models.alexnet`` with the weights ``weights`` describes, in eval mode (dropout off).

    Random weights: torchvision's default initialisation after ``torch.manual_seed(seed)`` (the global
    generator's state is restored afterwards). A weights file (the pretrained one, found by its sha256, or
    LESSON_WEIGHTS): the model is built on the "meta" device (no initialisation, no memory) and given the file's
    tensors, memory-mapped. For the pretrained file in torch's cache this is what
    ``alexnet(weights=AlexNet_Weights.IMAGENET1K_V1)`` loads (the tests check it), without a second copy.
    """
    if weights.kind == "random":
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(weights.seed)
        model = alexnet(weights=None)
        torch.random.set_rng_state(generator_state)
        return model.eval()
    try:
        loaded = _load_state_dict(weights.path)
    except OSError as error:
        raise WeightsError(f"weights file {str(weights.path)!r} cannot be read ({error.strerror or error}). "
                           "Check that it exists and that you may read it.") from error
    except Exception as error:  # noqa: BLE001 (torch raises many kinds for a bad file: each becomes one message)
        raise _read_error(weights.path, error) from None
    state_dict = _plain_state_dict(weights.path, loaded)
    with torch.device("meta"):
        model = alexnet(weights=None)
    try:
        model.load_state_dict(state_dict, assign=True)
    except (RuntimeError, TypeError, AttributeError) as error:
        raise _architecture_error(weights.path, error) from None
    return model.eval()


def network_input(display: np.ndarray) -> torch.Tensor:
    """(n, 224, 224, 3) uint8 display images -> (n, 3, 224, 224) float32, scaled to [0, 1] and normalised with
    the mean and std of ``AlexNet_Weights.IMAGENET1K_V1.transforms()`` (its resize and crop made the display
    images: ``lesson.data.images.preprocess``)."""
    transforms = PRETRAINED.transforms()
    pixels = torch.from_numpy(np.ascontiguousarray(display)).permute(0, 3, 1, 2).to(torch.float32) / 255.0
    mean = torch.tensor(transforms.mean).view(1, 3, 1, 1)
    std = torch.tensor(transforms.std).view(1, 3, 1, 1)
    return ((pixels - mean) / std).contiguous()


def layer_table(model: nn.Module) -> list[dict]:
    """One row per module: path, conventional name, kind, output shape (without the image axis), unit count."""
    shapes = {}
    modules = dict(model.named_modules())
    handles = [modules[path].register_forward_hook(
        lambda module, inputs, output, path=path: shapes.__setitem__(path, tuple(output.shape[1:])))
        for path in LAYER_PATHS]
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, 224, 224))
    finally:
        for handle in handles:
            handle.remove()
    return [{"path": layer.path, "name": layer.name, "kind": layer.kind, "module": type(modules[layer.path]).__name__,
             "shape": list(shapes[layer.path]), "n_units": int(np.prod(shapes[layer.path]))} for layer in LAYERS]


def unit_seed(layer_path: str) -> int:
    """A seed derived from the layer's name alone (stable across runs, machines and layer order; not Python's hash)."""
    return int.from_bytes(hashlib.sha256(f"alexnet-lesson:{layer_path}".encode()).digest()[:8], "little")


def unit_subsample(layer_path: str, n_units_total: int, n_units: int) -> np.ndarray:
    """Indices of ``min(n_units, n_units_total)`` distinct units of a layer, in a fixed random order.

    Draws are nested: the first 1000 of a 3000-unit draw are the 1000-unit draw.
    """
    order = np.random.default_rng(unit_seed(layer_path)).permutation(n_units_total)
    return order[: min(n_units, n_units_total)]


@contextlib.contextmanager
def _hooked(model: nn.Module, layers: list[str], on_output: Callable[[str, torch.Tensor], None]):
    """Eval mode, and a forward hook on each layer calling ``on_output(path, output)``; removed on exit."""
    unknown = [path for path in layers if path not in LAYER_PATHS]
    if unknown:
        raise KeyError(f"unknown layers {unknown}; valid layers: {', '.join(LAYER_PATHS)}")
    model.eval()  # dropout is the identity; never record a training-mode pass
    modules = dict(model.named_modules())
    handles = [modules[path].register_forward_hook(lambda module, inputs, output, path=path: on_output(path, output))
               for path in layers]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _network_batch(images: np.ndarray) -> torch.Tensor:
    """A batch of the normalised network input, (batch, 3, 224, 224) float32, from either that input itself or
    display images, (batch, 224, 224, 3) uint8 (normalised here, batch by batch, so that the whole float input
    never sits in memory)."""
    if images.dtype == np.uint8 and images.shape[-1] == 3:
        return network_input(images)
    return torch.as_tensor(np.asarray(images), dtype=torch.float32)


def _batches(n_images: int, batch_size: int) -> Iterator[slice]:
    for start in range(0, n_images, batch_size):
        yield slice(start, min(start + batch_size, n_images))


def stream_layer_outputs(model: nn.Module, images: np.ndarray,
                         consume: Callable[[str, slice, torch.Tensor], None], layers: Iterable[str] = LAYER_PATHS, *,
                         batch_size: int = 32) -> None:
    """Run the images through the model and hand each layer's output to ``consume(path, rows, output)`` the moment
    its module produces it, inside the forward hook: before a later in-place ReLU can change it, and without
    keeping a copy of every layer until the batch ends (with 32 images that would be 145 MB).

    ``output`` has shape (batch, *layer shape) for ``images[rows]`` and is valid only during the call: copy or
    write out what you keep. A convolutional layer's output is stored channels-last (its strides say so;
    ``memory_order_view`` reads it without a transposing copy). ``images``: the normalised network input,
    (n_images, 3, 224, 224) float32, or display images, (n_images, 224, 224, 3) uint8.
    """
    current = slice(0, 0)

    def on_output(path: str, output: torch.Tensor) -> None:
        consume(path, current, output.detach())

    # oneDNN's CPU convolutions run about 30 % faster on channels-last (NHWC) tensors: the model and each batch
    # take that layout for the pass (the model is given its usual layout back); the values are the same up to
    # float rounding.
    model.to(memory_format=torch.channels_last)
    try:
        with _hooked(model, list(layers), on_output), torch.inference_mode():
            for current in _batches(images.shape[0], batch_size):
                model(_network_batch(images[current]).contiguous(memory_format=torch.channels_last))
    finally:
        model.to(memory_format=torch.contiguous_format)


def memory_order_view(values: np.ndarray) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """``values`` (batch, *unit shape), in any dense layout (channels-last included), as a (batch, n_units) view
    in its memory order, plus a function mapping unit indices in the usual C order (``reshape(batch, -1)``) to
    columns of that view. ``view[:, columns(units)]`` equals ``values.reshape(batch, -1)[:, units]``, without
    the transposing copy that reshape makes of a channels-last array."""
    axes = [0] + sorted(range(1, values.ndim), key=lambda axis: -values.strides[axis])  # slowest-varying first
    in_memory = values.transpose(axes)  # C-contiguous for a dense array
    view = in_memory.reshape(values.shape[0], -1)

    def columns(units: np.ndarray) -> np.ndarray:
        logical = np.unravel_index(units, values.shape[1:])  # (C, H, W) indices ...
        return np.ravel_multi_index(tuple(logical[axis - 1] for axis in axes[1:]), in_memory.shape[1:])

    return view, columns


def iter_layer_outputs(model: nn.Module, images: np.ndarray, layers: Iterable[str] = LAYER_PATHS, *,
                       batch_size: int = 32, copy_outputs: bool = True) -> Iterator[tuple[slice, dict[str, torch.Tensor]]]:
    """Run the images through the model in batches; yield ``(rows, outputs)`` per batch.

    ``images`` is either the normalised network input, (n_images, 3, 224, 224) float32, or display images,
    (n_images, 224, 224, 3) uint8, normalised batch by batch (so the whole float input never sits in memory).
    ``outputs`` maps each requested layer path to its output for ``images[rows]``, shape (batch, *layer shape);
    it is valid until the next batch. ``copy_outputs=True`` copies each output when its hook fires, so a later
    in-place ReLU cannot overwrite it. False reproduces the classic bug (a stored conv output silently becomes
    the ReLU's output): only for showing that pitfall.
    """
    captured: dict[str, torch.Tensor] = {}

    def record(path: str, output: torch.Tensor) -> None:
        captured[path] = output.detach().clone() if copy_outputs else output.detach()

    with _hooked(model, list(layers), record):
        try:
            for rows in _batches(images.shape[0], batch_size):
                with torch.inference_mode():
                    model(_network_batch(images[rows]))
                yield rows, dict(captured)
                captured.clear()
        finally:
            captured.clear()


def extract_activations(model: nn.Module, images: np.ndarray, layers: Iterable[str] = LAYER_PATHS, *,
                        batch_size: int = 32, n_units: int | None = None,
                        copy_outputs: bool = True) -> dict[str, np.ndarray]:
    """Each requested layer's response to every image, with the model in eval mode.

    Parameters
    ----------
    images : (n_images, 3, 224, 224) float32 normalised input, or (n_images, 224, 224, 3) uint8 display images
    layers : torchvision module paths, e.g. ("features.0", "classifier.6")
    n_units : if given, keep only ``unit_subsample(layer, ., n_units)`` units of each layer
    copy_outputs : see ``iter_layer_outputs``; False only to show the in-place ReLU pitfall

    Returns
    -------
    dict layer path -> float32 array of shape (n_images, *layer shape), or (n_images, n_units) when subsampling
    """
    layers = list(layers)
    chunks: dict[str, list[np.ndarray]] = {path: [] for path in layers}
    for _, outputs in iter_layer_outputs(model, images, layers, batch_size=batch_size, copy_outputs=copy_outputs):
        for path, output in outputs.items():
            if n_units is None:
                chunks[path].append(output.numpy().copy())
            else:
                flat = output.flatten(1).numpy()  # (batch, n_units_total)
                chunks[path].append(flat[:, unit_subsample(path, flat.shape[1], n_units)])  # fancy indexing copies
    return {path: np.concatenate(parts) for path, parts in chunks.items()}
