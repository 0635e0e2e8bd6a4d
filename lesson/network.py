"""AlexNet: load it (pretrained, from a file, or random), describe its layers, and record layer activations safely."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np
import torch
from torch import nn
from torchvision.models import AlexNet_Weights, alexnet

from lesson.layers import LAYER_PATHS, LAYERS
from lesson.sources import WeightsInfo, pretrained_cache_path

__all__ = ["WeightsError", "build_model", "layer_table", "extract_activations", "unit_subsample", "unit_seed"]

class WeightsError(RuntimeError):
    """The weights file could not be loaded into AlexNet; the message says what to do."""


def build_model(weights: WeightsInfo) -> nn.Module:
    """The AlexNet that ``weights`` describes, in eval mode (dropout off)."""
    if weights.kind == "random":
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(weights.seed)
        model = alexnet(weights=None)
        torch.random.set_rng_state(generator_state)
        return model.eval()
    if weights.kind == "pretrained" and weights.path == pretrained_cache_path():
        # torchvision's own loader; it finds the file in torch's cache and does not touch the network.
        return alexnet(weights=AlexNet_Weights.IMAGENET1K_V1).eval()
    try:
        state_dict = torch.load(weights.path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise WeightsError(f"could not read weights file {str(weights.path)!r} as a state dict ({error}). Save one "
                           "with torch.save(model.state_dict(), path).") from error
    model = alexnet(weights=None)
    try:
        model.load_state_dict(state_dict)
    except (RuntimeError, TypeError, AttributeError) as error:
        raise WeightsError(f"{str(weights.path)!r} is not an AlexNet state dict: {str(error).splitlines()[0]}") from error
    return model.eval()


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


def extract_activations(model: nn.Module, images: np.ndarray | torch.Tensor, layers: Iterable[str] = LAYER_PATHS, *,
                        batch_size: int = 32, n_units: int | None = None, full_rows: Sequence[int] | None = None,
                        copy_outputs: bool = True) -> dict[str, np.ndarray] | tuple[dict, dict]:
    """Record each requested layer's output for every image, in batches, with the model in eval mode.

    Parameters
    ----------
    images : (n_images, 3, 224, 224) float32, normalised network input
    layers : torchvision module paths, e.g. ("features.0", "classifier.6")
    n_units : if given, keep only ``unit_subsample(layer, ., n_units)`` units per layer: (n_images, n_units)
    full_rows : with ``n_units``, also keep the full activations of these images (positions into ``images``);
        the result is then ``(subsampled, full)``
    copy_outputs : True copies each output when its hook fires, so a later in-place ReLU cannot overwrite it.
        False reproduces the classic bug (a stored conv output silently becomes the ReLU's output): only for
        showing that pitfall.

    Returns
    -------
    dict layer path -> float32 array of shape (n_images, *layer shape), or (n_images, n_units) when subsampling.
    """
    layers = list(layers)
    unknown = [path for path in layers if path not in LAYER_PATHS]
    if unknown:
        raise KeyError(f"unknown layers {unknown}; valid layers: {', '.join(LAYER_PATHS)}")
    images = torch.as_tensor(images, dtype=torch.float32)
    model.eval()  # dropout is the identity; never record a training-mode pass
    modules = dict(model.named_modules())
    captured: dict[str, torch.Tensor] = {}

    def hook(module, inputs, output, path):
        captured[path] = output.detach().clone() if copy_outputs else output.detach()

    handles = [modules[path].register_forward_hook(lambda m, i, o, path=path: hook(m, i, o, path)) for path in layers]
    full_rows = list(full_rows) if full_rows is not None else []
    batches: dict[str, list[np.ndarray]] = {path: [] for path in layers}
    full: dict[str, list[np.ndarray]] = {path: [] for path in layers}
    full_order: list[int] = []
    subsample: dict[str, np.ndarray] = {}
    try:
        with torch.inference_mode():
            for start in range(0, images.shape[0], batch_size):
                captured.clear()
                model(images[start:start + batch_size])
                rows_here = [row - start for row in full_rows if start <= row < start + batch_size]
                full_order += [row for row in full_rows if start <= row < start + batch_size]
                for path in layers:
                    output = captured[path].flatten(1).numpy()  # (batch, n_units_total)
                    if n_units is None:
                        batches[path].append(output.reshape(captured[path].shape).copy())
                        continue
                    if path not in subsample:
                        subsample[path] = unit_subsample(path, output.shape[1], n_units)
                    batches[path].append(output[:, subsample[path]])  # fancy indexing copies
                    if rows_here:
                        full[path].append(captured[path][rows_here].numpy().copy())
    finally:
        for handle in handles:
            handle.remove()
    result = {path: np.concatenate(chunks) for path, chunks in batches.items()}
    if n_units is None or not full_rows:
        return result
    # Put the full rows back in the order they were asked for.
    positions = [full_order.index(row) for row in full_rows]
    return result, {path: np.concatenate(chunks)[positions] for path, chunks in full.items()}
