"""AlexNet's 21 modules: torchvision paths, conventional names and kinds (pure data, no torch)."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Layer", "LAYERS", "LAYER_PATHS", "display_name", "layer_by_path"]


class Layer(NamedTuple):
    path: str  # torchvision module path, the key everywhere: "features.0"
    name: str  # conventional name shown to people: "conv1"
    kind: str  # "conv" | "relu" | "pool" | "avgpool" | "dropout" | "linear"


LAYERS: tuple[Layer, ...] = (
    Layer("features.0", "conv1", "conv"),
    Layer("features.1", "relu1", "relu"),
    Layer("features.2", "pool1", "pool"),
    Layer("features.3", "conv2", "conv"),
    Layer("features.4", "relu2", "relu"),
    Layer("features.5", "pool2", "pool"),
    Layer("features.6", "conv3", "conv"),
    Layer("features.7", "relu3", "relu"),
    Layer("features.8", "conv4", "conv"),
    Layer("features.9", "relu4", "relu"),
    Layer("features.10", "conv5", "conv"),
    Layer("features.11", "relu5", "relu"),
    Layer("features.12", "pool5", "pool"),
    Layer("avgpool", "avgpool", "avgpool"),
    Layer("classifier.0", "dropout6", "dropout"),
    Layer("classifier.1", "fc6", "linear"),
    Layer("classifier.2", "relu6", "relu"),
    Layer("classifier.3", "dropout7", "dropout"),
    Layer("classifier.4", "fc7", "linear"),
    Layer("classifier.5", "relu7", "relu"),
    Layer("classifier.6", "fc8", "linear"),
)
LAYER_PATHS: tuple[str, ...] = tuple(layer.path for layer in LAYERS)
_BY_PATH = {layer.path: layer for layer in LAYERS}


def layer_by_path(path: str) -> Layer:
    try:
        return _BY_PATH[path]
    except KeyError:
        raise KeyError(f"unknown AlexNet layer {path!r}; valid layers: {', '.join(LAYER_PATHS)}") from None


def display_name(path: str) -> str:
    """'features.0' -> 'conv1'."""
    return layer_by_path(path).name
