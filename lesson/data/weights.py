"""AlexNet's weights: pretrained (downloaded once into torch's cache), a state-dict file, or random with a seed.

The pretrained file is recognised by its content, never by its name: its sha256 starts with the prefix that
torch writes into the file name (``alexnet-owt-7be5be79.pth`` -> ``7be5be79``). The digest of a 233 MB file
is computed once and remembered by (path, size, modification time) in ``<cache>/file-digests.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lesson.atomic import write_atomic
from lesson.config import PRETRAINED_WEIGHTS_URL, Settings
from lesson.data.download import DownloadError, download, file_digest, terminal_progress
from lesson.data.errors import SourceUnavailable

__all__ = ["PRETRAINED_URL", "PRETRAINED_FILE", "PRETRAINED_ID", "PRETRAINED_SHA256_PREFIX", "WeightsInfo",
           "pretrained_cache_path", "choose_weights", "weights_sha256", "is_pretrained_digest", "torch_version"]

# torchvision's AlexNet_Weights.IMAGENET1K_V1: its url, and the file name torch caches it under (the tests check
# both against torchvision; this module stays free of torch so that the app process can use it).
PRETRAINED_URL = PRETRAINED_WEIGHTS_URL
PRETRAINED_FILE = PRETRAINED_URL.rsplit("/", 1)[-1]  # "alexnet-owt-7be5be79.pth"
PRETRAINED_ID = "AlexNet_Weights.IMAGENET1K_V1"
PRETRAINED_SHA256_PREFIX = PRETRAINED_FILE.rsplit("-", 1)[-1].split(".")[0]  # "7be5be79": torch's convention


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


def is_pretrained_digest(sha256: str) -> bool:
    """Whether a file with this sha256 is torchvision's IMAGENET1K_V1 AlexNet (the prefix torch's name carries)."""
    return sha256.lower().startswith(PRETRAINED_SHA256_PREFIX)


def weights_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """The file's sha256, remembered in ``<cache_dir>/file-digests.json`` by (resolved path, size, mtime), so that
    a warm start does not read 233 MB again; a changed file (other size or mtime) is hashed again."""
    path = Path(path)
    info = path.stat()
    stamp = [info.st_size, info.st_mtime_ns]
    store = Path(cache_dir) / "file-digests.json" if cache_dir is not None else None
    known: dict = {}
    if store is not None:
        try:
            known = json.loads(store.read_text())
            entry = known.get(str(path.resolve()))
            if isinstance(entry, list) and entry[:2] == stamp and isinstance(entry[2], str):
                return entry[2]
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            known = {}
    digest = file_digest(path, "sha256")
    if store is not None:
        known = known if isinstance(known, dict) else {}
        known[str(path.resolve())] = [*stamp, digest]
        try:
            write_atomic(store, json.dumps(known, indent=1))
        except OSError:
            pass  # a read-only cache only means hashing again next time
    return digest


def _random_weights(seed: int) -> WeightsInfo:
    recipe = hashlib.sha256(f"torchvision alexnet default init, torch.manual_seed({seed}), torch {torch_version()}".encode())
    return WeightsInfo("random", f"random(seed={seed})", recipe.hexdigest(),
                       f"untrained AlexNet, random weights (seed {seed})", seed=seed)


def _pretrained(path: Path, sha256: str) -> WeightsInfo:
    return WeightsInfo("pretrained", PRETRAINED_ID, sha256,
                       "pretrained AlexNet (ImageNet, torchvision IMAGENET1K_V1)", path=path)


def _given_file(settings: Settings, require_pretrained: bool) -> tuple[WeightsInfo, list[str]]:
    """LESSON_WEIGHTS=<file>: pretrained if its content is IMAGENET1K_V1's, wherever it lies; else "a weights file"."""
    path = Path(settings.weights).expanduser()
    if not path.is_file():
        raise SourceUnavailable(f"weights file {str(path)!r} (LESSON_WEIGHTS) does not exist. Give the path of an "
                                "AlexNet state dict, or unset LESSON_WEIGHTS to use the pretrained weights.")
    try:
        sha256 = weights_sha256(path, settings.cache_dir)
    except OSError as error:
        raise SourceUnavailable(f"weights file {str(path)!r} (LESSON_WEIGHTS) cannot be read ({error.strerror}). "
                                "Check its permissions, or unset LESSON_WEIGHTS.") from error
    if is_pretrained_digest(sha256):
        return _pretrained(path, sha256), []
    not_pretrained = (f"{path} is not the pretrained IMAGENET1K_V1 file: its sha256 is {sha256[:16]}..., expected one "
                      f"starting {PRETRAINED_SHA256_PREFIX}")
    if require_pretrained:
        raise SourceUnavailable(f"pretrained weights were required, but {not_pretrained}. Unset LESSON_WEIGHTS to use "
                                f"torch's cache, or point it at the file downloaded from {PRETRAINED_URL}.")
    notices = [f"{not_pretrained}; it is used as a weights file of its own."] if path.name == PRETRAINED_FILE else []
    return WeightsInfo("file", path.name, sha256, f"AlexNet weights from {path}", path=path), notices


def _move_aside(cached: Path) -> Path:
    """Rename a cached file that failed its check to ``<name>.bad-<time>`` (kept for inspection, never used)."""
    aside = cached.with_name(f"{cached.name}.bad-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(cached, aside)
    return aside


def choose_weights(settings: Settings, *, require_pretrained: bool = False, progress=None) -> tuple[WeightsInfo, list[str]]:
    """Resolve ``settings.weights`` to a WeightsInfo, downloading the pretrained file once if needed and allowed.

    A file in torch's cache whose sha256 is not IMAGENET1K_V1's (a corrupt or foreign file) is moved aside and
    fetched again, with a notice; the result is "pretrained" only for a file whose content checks.
    """
    notices: list[str] = []
    if settings.weights == "random":
        if require_pretrained:
            raise SourceUnavailable("pretrained weights were required, but LESSON_WEIGHTS=random asks for random ones")
        return _random_weights(settings.random_seed), notices
    if settings.weights not in ("pretrained", ""):
        return _given_file(settings, require_pretrained)
    cached = pretrained_cache_path()
    if cached.is_file():
        sha256 = weights_sha256(cached, settings.cache_dir)
        if is_pretrained_digest(sha256):
            return _pretrained(cached, sha256), notices
        aside = _move_aside(cached)
        notices.append(f"The cached file {cached} is not the pretrained IMAGENET1K_V1 file (sha256 {sha256[:16]}..., "
                       f"expected one starting {PRETRAINED_SHA256_PREFIX}): it was moved aside to {aside.name} and "
                       "is fetched again.")
    reason = "offline mode (LESSON_OFFLINE=1) is on"
    if not settings.offline:
        try:
            download(settings.weights_url, cached, sha256_prefix=PRETRAINED_SHA256_PREFIX,
                     progress=progress or terminal_progress("AlexNet weights"))
        except DownloadError as error:
            reason = str(error)
    if not cached.is_file():
        message = (f"Pretrained AlexNet weights could not be fetched ({reason}). They are cached at {cached}: "
                   f"download {settings.weights_url} by hand and put the file there (or set TORCH_HOME, or point "
                   "LESSON_WEIGHTS at a state-dict file).")
        if require_pretrained:
            raise SourceUnavailable(" ".join([*notices, message]))
        notices.append(message + f" Using an untrained AlexNet (seed {settings.random_seed}) instead.")
        return _random_weights(settings.random_seed), notices
    return _pretrained(cached, weights_sha256(cached, settings.cache_dir)), notices


def torch_version() -> str:
    try:
        return version("torch")
    except PackageNotFoundError:
        return "none"
