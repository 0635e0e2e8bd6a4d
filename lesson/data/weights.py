"""AlexNet's weights: pretrained (downloaded once into torch's cache), a state-dict file, or random with a seed."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lesson.config import Settings
from lesson.data.download import DownloadError, download, file_digest, terminal_progress
from lesson.data.errors import SourceUnavailable

__all__ = ["PRETRAINED_URL", "PRETRAINED_FILE", "WeightsInfo", "pretrained_cache_path", "choose_weights",
           "torch_version"]

PRETRAINED_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"  # AlexNet_Weights.IMAGENET1K_V1.url


PRETRAINED_FILE = "alexnet-owt-7be5be79.pth"


_PRETRAINED_SHA256_PREFIX = "7be5be79"  # torch's convention: the file name carries the start of its sha256


@dataclass(frozen=True)
class WeightsInfo:
    """Which AlexNet weights to use; chosen without importing torch."""

    kind: str  # "pretrained" | "file" | "random"
    id: str  # "AlexNet_Weights.IMAGENET1K_V1", "random(seed=0)", or the file's name
    sha256: str  # of the weights file; for random weights, of the recipe (seed + torch version)
    description: str  # for people
    path: Path | None = None  # the file to load, for "pretrained" and "file"
    seed: int = 0

    @property
    def is_pretrained(self) -> bool:
        return self.kind == "pretrained"


def pretrained_cache_path() -> Path:
    """Where torch keeps the pretrained file: $TORCH_HOME/hub/checkpoints (torch.hub.get_dir(), without importing torch)."""
    torch_home = os.environ.get("TORCH_HOME") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "torch"
    return Path(torch_home).expanduser() / "hub" / "checkpoints" / PRETRAINED_FILE


def _random_weights(seed: int) -> WeightsInfo:
    recipe = hashlib.sha256(f"torchvision alexnet default init, torch.manual_seed({seed}), torch {torch_version()}".encode())
    return WeightsInfo("random", f"random(seed={seed})", recipe.hexdigest(),
                       f"untrained AlexNet, random weights (seed {seed})", seed=seed)


def choose_weights(settings: Settings, *, require_pretrained: bool = False, progress=None) -> tuple[WeightsInfo, list[str]]:
    """Resolve ``settings.weights`` to a WeightsInfo, downloading the pretrained file once if needed and allowed."""
    notices: list[str] = []
    if settings.weights == "random":
        if require_pretrained:
            raise SourceUnavailable("pretrained weights were required, but LESSON_WEIGHTS=random asks for random ones")
        return _random_weights(settings.random_seed), notices
    if settings.weights not in ("pretrained", ""):
        path = Path(settings.weights).expanduser()
        if not path.is_file():
            raise SourceUnavailable(f"weights file {str(path)!r} (LESSON_WEIGHTS) does not exist. Give the path of an "
                                    "AlexNet state dict, or unset LESSON_WEIGHTS to use the pretrained weights.")
        try:
            sha256 = file_digest(path, "sha256")
        except OSError as error:
            raise SourceUnavailable(f"weights file {str(path)!r} (LESSON_WEIGHTS) cannot be read ({error.strerror}). "
                                    "Check its permissions, or unset LESSON_WEIGHTS.") from error
        is_pretrained_file = path.name == PRETRAINED_FILE
        if require_pretrained and not is_pretrained_file:
            raise SourceUnavailable(f"pretrained weights were required, but LESSON_WEIGHTS points to {path}")
        return WeightsInfo("pretrained" if is_pretrained_file else "file",
                           "AlexNet_Weights.IMAGENET1K_V1" if is_pretrained_file else path.name, sha256,
                           f"AlexNet weights from {path}", path=path), notices
    cached = pretrained_cache_path()
    if not cached.is_file():
        reason = "offline mode (LESSON_OFFLINE=1) is on"
        if not settings.offline:
            try:
                download(PRETRAINED_URL, cached, sha256_prefix=_PRETRAINED_SHA256_PREFIX,
                         progress=progress or terminal_progress("AlexNet weights"))
            except DownloadError as error:
                reason = str(error)
        if not cached.is_file():
            message = (f"Pretrained AlexNet weights could not be fetched ({reason}). They are cached at {cached}: "
                       f"download {PRETRAINED_URL} by hand and put the file there (or set TORCH_HOME, or point "
                       "LESSON_WEIGHTS at a state-dict file).")
            if require_pretrained:
                raise SourceUnavailable(message)
            notices.append(message + f" Using an untrained AlexNet (seed {settings.random_seed}) instead.")
            return _random_weights(settings.random_seed), notices
    return WeightsInfo("pretrained", "AlexNet_Weights.IMAGENET1K_V1", file_digest(cached, "sha256"),
                       "pretrained AlexNet (ImageNet, torchvision IMAGENET1K_V1)", path=cached), notices


def torch_version() -> str:
    try:
        return version("torch")
    except PackageNotFoundError:
        return "none"
