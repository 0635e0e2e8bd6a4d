"""Settings: every default written once, each overridable by one environment variable (see README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["Settings", "PROJECT_ROOT", "IMAGENETTE_URL", "PRETRAINED_WEIGHTS_URL"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IMAGENETTE_URL = "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz"
PRETRAINED_WEIGHTS_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"  # AlexNet_Weights.IMAGENET1K_V1.url


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "alexnet-lesson"


@dataclass(frozen=True)
class Settings:
    """Where data comes from and goes to, and the lesson's fixed numbers."""

    cache_dir: Path = field(default_factory=_default_cache_dir)
    images: str = "imagenette"  # "imagenette" | "synthetic" | a folder of class sub-folders
    weights: str = "pretrained"  # "pretrained" | "random" | a state-dict file
    imagenette_url: str = IMAGENETTE_URL
    weights_url: str = PRETRAINED_WEIGHTS_URL  # where the pretrained file is fetched from when torch's cache lacks it
    offline: bool = False  # never touch the network; go straight to the stand-ins
    exercises_dir: Path = PROJECT_ROOT / "exercises"
    reflections_path: Path = PROJECT_ROOT / "reflections.md"
    images_per_class: int = 40  # the RSA candidates: the first 40 images per class, by file name
    pca_images_per_class: int = 100  # the images loaded and used for PCA: the first 100 per class (400 in all)
    n_extreme: int = 5  # reddest / least red per class for the RSA order
    pca_units: int = 1000  # units drawn per layer for PCA
    stored_units: int = 3000  # units kept per layer in the bank (nested: the first 1000 are the PCA draw)
    random_seed: int = 0  # seed of the random-weights AlexNet
    batch_size: int = 32

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Settings:
        """Read LESSON_* variables (see README); keyword overrides win."""
        env = os.environ if environ is None else environ
        values: dict = {}
        if env.get("LESSON_CACHE_DIR"):
            values["cache_dir"] = Path(env["LESSON_CACHE_DIR"]).expanduser()
        if env.get("LESSON_IMAGES"):
            values["images"] = env["LESSON_IMAGES"]
        if env.get("LESSON_WEIGHTS"):
            values["weights"] = env["LESSON_WEIGHTS"]
        if env.get("LESSON_IMAGENETTE_URL"):
            values["imagenette_url"] = env["LESSON_IMAGENETTE_URL"]
        if env.get("LESSON_WEIGHTS_URL"):
            values["weights_url"] = env["LESSON_WEIGHTS_URL"]
        if env.get("LESSON_OFFLINE", "").strip().lower() in {"1", "true", "yes"}:
            values["offline"] = True
        if env.get("LESSON_EXERCISES_DIR"):
            values["exercises_dir"] = Path(env["LESSON_EXERCISES_DIR"]).expanduser().resolve()
        if env.get("LESSON_REFLECTIONS"):
            values["reflections_path"] = Path(env["LESSON_REFLECTIONS"]).expanduser().resolve()
        values.update(overrides)
        return cls(**values)

    @property
    def images_loaded_per_class(self) -> int:
        """How many images of each class are loaded: enough for both the RSA candidates and the PCA."""
        return max(self.images_per_class, self.pca_images_per_class)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)
