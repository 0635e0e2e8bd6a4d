"""AlexNet: load it (pretrained, from a file, or random), describe its layers, and record layer activations safely."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import numpy as np
import torch
from torch import nn
from torchvision.models import AlexNet_Weights, alexnet

from lesson.images import to_network_input
from lesson.layers import LAYER_PATHS, LAYERS
from lesson.sources import WeightsInfo, pretrained_cache_path

__all__ = [
    "WeightsError", "build_model", "layer_table", "iter_layer_outputs", "extract_activations", "unit_subsample",
    "unit_seed",
]

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
    layers = list(layers)
    unknown = [path for path in layers if path not in LAYER_PATHS]
    if unknown:
        raise KeyError(f"unknown layers {unknown}; valid layers: {', '.join(LAYER_PATHS)}")
    model.eval()  # dropout is the identity; never record a training-mode pass
    modules = dict(model.named_modules())
    captured: dict[str, torch.Tensor] = {}

    def record(path: str, output: torch.Tensor) -> None:
        captured[path] = output.detach().clone() if copy_outputs else output.detach()

    handles = [modules[path].register_forward_hook(lambda module, inputs, output, path=path: record(path, output))
               for path in layers]
    is_display = images.dtype == np.uint8 and images.shape[-1] == 3
    try:
        with torch.inference_mode():
            for start in range(0, images.shape[0], batch_size):
                rows = slice(start, min(start + batch_size, images.shape[0]))
                batch = to_network_input(images[rows]) if is_display else images[rows]
                captured.clear()
                model(torch.as_tensor(np.asarray(batch), dtype=torch.float32))
                yield rows, dict(captured)
    finally:
        captured.clear()
        for handle in handles:
            handle.remove()


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
