"""Choose the images and weights the user asked for, falling back to stand-ins loudly (never silently, never a crash)."""

from __future__ import annotations

import hashlib
import importlib
import os
import threading
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lesson.config import Settings
from lesson.download import DownloadError, download, file_digest, terminal_progress
from lesson.images import ImageSet, ImageSourceError, fetch_imagenette, load_folder, load_imagenette, make_synthetic

__all__ = [
    "WeightsInfo", "SourceUnavailable", "Sources", "PRETRAINED_URL", "PRETRAINED_FILE", "pretrained_cache_path",
    "choose_weights", "choose_images", "resolve_sources", "prepare_bank", "rsa_selection",
    "import_analysis_libraries_in_background",
]

PRETRAINED_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"  # AlexNet_Weights.IMAGENET1K_V1.url
PRETRAINED_FILE = "alexnet-owt-7be5be79.pth"
_PRETRAINED_SHA256_PREFIX = "7be5be79"  # torch's convention: the file name carries the start of its sha256


class SourceUnavailable(RuntimeError):
    """The user required the real weights or images and they could not be had (exit code 2)."""


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


@dataclass(frozen=True)
class Sources:
    images: ImageSet
    weights: WeightsInfo
    notices: tuple[str, ...]  # what was asked for but not had, and what is used instead

    @classmethod
    def from_bank(cls, bank, notices: tuple[str, ...]) -> Sources:
        """The sources a bank was built from, as its provenance records them (for a bank found by
        ``lesson.bank_index`` without resolving the sources again: no weights path, display images read lazily)."""
        weights, images = bank.provenance["weights"], bank.provenance["images"]
        image_set = ImageSet(display=bank.images, labels=bank.labels, class_names=tuple(images["class_names"]),
                             names=tuple(images["names"]), source=images["source"],
                             description=images["description"], manifest_sha256=images["manifest_sha256"],
                             skipped=tuple(images.get("skipped", ())))
        return cls(image_set, WeightsInfo(weights["kind"], weights["id"], weights["sha256"], weights["description"]),
                   notices)


def pretrained_cache_path() -> Path:
    """Where torch keeps the pretrained file: $TORCH_HOME/hub/checkpoints (torch.hub.get_dir(), without importing torch)."""
    torch_home = os.environ.get("TORCH_HOME") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "torch"
    return Path(torch_home).expanduser() / "hub" / "checkpoints" / PRETRAINED_FILE


def _random_weights(seed: int) -> WeightsInfo:
    recipe = hashlib.sha256(f"torchvision alexnet default init, torch.manual_seed({seed}), torch {_torch_version()}".encode())
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
        is_pretrained_file = path.name == PRETRAINED_FILE
        if require_pretrained and not is_pretrained_file:
            raise SourceUnavailable(f"pretrained weights were required, but LESSON_WEIGHTS points to {path}")
        return WeightsInfo("pretrained" if is_pretrained_file else "file",
                           "AlexNet_Weights.IMAGENET1K_V1" if is_pretrained_file else path.name, file_digest(path, "sha256"),
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


def choose_images(settings: Settings, *, require_lesson_images: bool = False, progress=None) -> tuple[ImageSet, list[str]]:
    """Resolve ``settings.images`` to an ImageSet: Imagenette (downloaded once), synthetic, or a folder."""
    notices: list[str] = []
    if settings.images == "synthetic":
        if require_lesson_images:
            raise SourceUnavailable("the lesson's images were required, but LESSON_IMAGES=synthetic asks for stand-ins")
        return make_synthetic(per_class=settings.images_per_class), notices
    if settings.images not in ("imagenette", ""):
        if require_lesson_images:
            raise SourceUnavailable(f"the lesson's images were required, but LESSON_IMAGES points to {settings.images}")
        try:
            return load_folder(Path(settings.images), per_class=settings.images_per_class), notices
        except ImageSourceError as error:
            raise SourceUnavailable(str(error)) from error
    archive_dir = settings.cache_dir / "imagenette2-160"
    try:
        if settings.offline and not (archive_dir / "extracted.json").exists():
            raise DownloadError("offline mode (LESSON_OFFLINE=1) is on")
        val_dir = fetch_imagenette(settings.cache_dir, settings.imagenette_url,
                                   progress=progress or terminal_progress("Imagenette"))
        return load_imagenette(val_dir, per_class=settings.images_per_class), notices
    except (DownloadError, ImageSourceError) as error:
        message = (f"The lesson's images (Imagenette 160 px) could not be fetched ({error}). They are cached under "
                   f"{archive_dir}: download {settings.imagenette_url} by hand into {settings.cache_dir} (keep its "
                   "name), or set LESSON_IMAGES to a folder of class sub-folders.")
        if require_lesson_images:
            raise SourceUnavailable(message) from error
        notices.append(message + " Using synthetic stand-in images instead.")
        return make_synthetic(per_class=settings.images_per_class), notices


def resolve_sources(settings: Settings, *, require_pretrained: bool = False, require_lesson_images: bool = False,
                    progress=None) -> Sources:
    weights, weight_notices = choose_weights(settings, require_pretrained=require_pretrained, progress=progress)
    images, image_notices = choose_images(settings, require_lesson_images=require_lesson_images, progress=progress)
    if images.skipped:
        image_notices.append(f"Skipped {len(images.skipped)} unreadable image file(s): {', '.join(images.skipped[:10])}")
    return Sources(images, weights, tuple(weight_notices + image_notices))


def prepare_bank(settings: Settings, *, require_pretrained: bool = False, require_lesson_images: bool = False,
                 download_progress=None, progress=None, sources: Sources | None = None, build: bool = True,
                 analyses_follow: bool = True):
    """The activation bank for these settings: resolved sources, then the cached bank or a new one.

    Imports torch only when a bank has to be built. With ``build=False`` a missing bank is not built:
    ``(None, sources)`` (the app then builds it in another process: ``lesson.build_worker``).
    ``analyses_follow``: this process analyses the bank next, so a build starts importing what that needs.
    """
    from lesson.bank import bank_key, build_bank, load_bank
    from lesson.bank_index import recall, remember, request_fingerprint

    # The quick way: the same request (same settings, same files on disk) was answered before.
    quick = None if sources is not None or require_pretrained or require_lesson_images else request_fingerprint(settings)
    known = recall(settings, quick) if quick else None
    if known is not None:
        bank = load_bank(settings.cache_dir / "banks" / known["key"])
        return bank, Sources.from_bank(bank, tuple(known["notices"]))

    sources = sources or resolve_sources(settings, require_pretrained=require_pretrained,
                                         require_lesson_images=require_lesson_images, progress=download_progress)
    settings_part = {"pca_units": settings.pca_units, "stored_units": settings.stored_units,
                     "per_class": settings.images_per_class, "n_extreme": settings.n_extreme}
    key = bank_key(weights_sha256=sources.weights.sha256, manifest_sha256=sources.images.manifest_sha256,
                   settings_part=settings_part, torch_version=_torch_version())
    existing = settings.cache_dir / "banks" / key
    if (existing / "provenance.json").is_file():
        if quick:
            remember(settings, quick, key, sources.notices)
        return load_bank(existing), sources
    if not build:
        return None, sources
    from lesson.network import build_model

    if analyses_follow:  # their import runs while the network computes (torch does not hold the GIL)
        import_analysis_libraries_in_background()
    image_redness, rsa_indices, rsa_order = rsa_selection(sources.images, settings)
    bank = build_bank(settings.cache_dir, sources.images, build_model(sources.weights), sources.weights,
                      key=key, settings_part=settings_part, image_redness=image_redness, rsa_indices=rsa_indices,
                      rsa_order=rsa_order, batch_size=settings.batch_size, notices=sources.notices, progress=progress)
    if quick:
        remember(settings, quick, key, sources.notices)
    return bank, sources


def import_analysis_libraries_in_background() -> None:
    """Start importing scipy.stats (the analyses' Spearman ranks; about a second) in a thread, for a process
    that waits for a bank now and analyses it next."""
    threading.Thread(target=_import_quietly, args=("scipy.stats",), name="preload-scipy", daemon=True).start()


def _import_quietly(module: str) -> None:
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 (only a head start: the real import later reports any problem)
        pass


def rsa_selection(images: ImageSet, settings: Settings):
    """Redness of every image and the RSA images: per class its reddest, then its least red, among its first ones.

    Returns ``(redness (n_images,), rsa_indices (n_rsa,), description)``. Uses the reference solutions.
    """
    import numpy as np

    try:
        from solutions.stimuli import pick_redness_extrema, redness
    except ImportError:  # a student release: the selection stored with the grading fixtures (lesson/release_selection.py)
        from lesson.release_selection import rsa_selection as stored_selection

        return stored_selection(images, settings)

    image_redness = np.concatenate([redness(images.display[start:start + 32].transpose(0, 3, 1, 2) / np.float32(255))
                                    for start in range(0, images.n_images, 32)])  # chunks of (32, 3, H, W) in [0, 1]
    n_extreme = min(settings.n_extreme, int(np.bincount(images.labels).min()) // 2)
    if n_extreme < 1:
        raise SourceUnavailable("every class needs at least 2 images to pick its reddest and least red image")
    indices = pick_redness_extrema(image_redness, images.labels, per_class=settings.images_per_class,
                                   n_extreme=n_extreme)
    return image_redness, indices, (f"per class: {n_extreme} reddest (descending), then {n_extreme} least red "
                                    f"(ascending), among the first {settings.images_per_class} images of the class")


def _torch_version() -> str:
    try:
        return version("torch")
    except PackageNotFoundError:
        return "none"
