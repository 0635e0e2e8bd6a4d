"""Prepare the activation bank: choose the images and weights asked for (stand-ins loudly, never silently, never a
crash), then find the bank built from them or build it."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from pathlib import Path

from lesson.config import Settings
from lesson.data.download import DownloadError, terminal_progress
from lesson.data.errors import SourceUnavailable
from lesson.data.images import (
    ImageSet,
    ImageSourceError,
    fetch_imagenette,
    load_folder,
    load_imagenette,
    make_synthetic,
)
from lesson.data.rsa_selection import rsa_selection
from lesson.data.weights import WeightsInfo, choose_weights, torch_version

__all__ = ["Sources", "choose_images", "resolve_sources", "prepare_bank", "import_analysis_libraries_in_background"]


@dataclass(frozen=True)
class Sources:
    images: ImageSet
    weights: WeightsInfo
    notices: tuple[str, ...]  # what was asked for but not had, and what is used instead

    @classmethod
    def from_bank(cls, bank, notices: tuple[str, ...]) -> Sources:
        """The sources a bank was built from, as its provenance records them (for a bank found by
        ``lesson.data.bank_index`` without resolving the sources again: no weights path, display images read lazily)."""
        weights, images = bank.provenance["weights"], bank.provenance["images"]
        image_set = ImageSet(display=bank.images, labels=bank.labels, class_names=tuple(images["class_names"]),
                             names=tuple(images["names"]), source=images["source"],
                             description=images["description"], manifest_sha256=images["manifest_sha256"],
                             skipped=tuple(images.get("skipped", ())))
        return cls(image_set, WeightsInfo(weights["kind"], weights["id"], weights["sha256"], weights["description"]),
                   notices)


def choose_images(settings: Settings, *, require_lesson_images: bool = False, progress=None) -> tuple[ImageSet, list[str]]:
    """Resolve ``settings.images`` to an ImageSet: Imagenette (downloaded once), synthetic, or a folder."""
    notices: list[str] = []
    if settings.images == "synthetic":
        if require_lesson_images:
            raise SourceUnavailable("the lesson's images were required, but LESSON_IMAGES=synthetic asks for stand-ins")
        return make_synthetic(per_class=settings.images_loaded_per_class), notices
    if settings.images not in ("imagenette", ""):
        if require_lesson_images:
            raise SourceUnavailable(f"the lesson's images were required, but LESSON_IMAGES points to {settings.images}")
        try:
            return load_folder(Path(settings.images), per_class=settings.images_loaded_per_class), notices
        except ImageSourceError as error:
            raise SourceUnavailable(str(error)) from error
    archive_dir = settings.cache_dir / "imagenette2-160"
    try:
        if settings.offline and not (archive_dir / "extracted.json").exists():
            raise DownloadError("offline mode (LESSON_OFFLINE=1) is on")
        val_dir = fetch_imagenette(settings.cache_dir, settings.imagenette_url,
                                   progress=progress or terminal_progress("Imagenette"))
        return load_imagenette(val_dir, per_class=settings.images_loaded_per_class), notices
    except (DownloadError, ImageSourceError) as error:
        message = (f"The lesson's images (Imagenette 160 px) could not be fetched ({error}). They are cached under "
                   f"{archive_dir}: download {settings.imagenette_url} by hand into {settings.cache_dir} (keep its "
                   "name), or set LESSON_IMAGES to a folder of class sub-folders.")
        if require_lesson_images:
            raise SourceUnavailable(message) from error
        notices.append(message + " Using synthetic stand-in images instead.")
        return make_synthetic(per_class=settings.images_loaded_per_class), notices


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
    ``(None, sources)`` (the app then builds it in another process: ``lesson.data.build_worker``).
    ``analyses_follow``: this process analyses the bank next, so a build starts importing what that needs.
    """
    from lesson.data.bank import bank_key, build_bank, load_bank
    from lesson.data.bank_index import recall, remember, request_fingerprint

    # The quick way: the same request (same settings, same files on disk) was answered before.
    quick = None if sources is not None or require_pretrained or require_lesson_images else request_fingerprint(settings)
    known = recall(settings, quick) if quick else None
    if known is not None:
        bank = load_bank(settings.cache_dir / "banks" / known["key"])
        return bank, Sources.from_bank(bank, tuple(known["notices"]))

    sources = sources or resolve_sources(settings, require_pretrained=require_pretrained,
                                         require_lesson_images=require_lesson_images, progress=download_progress)
    settings_part = {"pca_units": settings.pca_units, "stored_units": settings.stored_units,
                     "per_class": settings.images_per_class, "n_extreme": settings.n_extreme,
                     "pca_per_class": settings.images_loaded_per_class}
    key = bank_key(weights_sha256=sources.weights.sha256, manifest_sha256=sources.images.manifest_sha256,
                   settings_part=settings_part, torch_version=torch_version())
    existing = settings.cache_dir / "banks" / key
    if (existing / "provenance.json").is_file():
        if quick:
            remember(settings, quick, key, sources.notices)
        return load_bank(existing), sources
    if not build:
        return None, sources
    from lesson.data.network import build_model

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
