"""Prepare the activation bank: choose the images and weights asked for (stand-ins loudly, never silently, never a
crash), then find the bank built from them or build it."""

from __future__ import annotations

import importlib
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lesson.config import Settings
from lesson.data.download import DownloadError, terminal_progress
from lesson.data.errors import BankDamaged, CacheDirUnusable, SourceUnavailable
from lesson.data.images import (
    ImageSet,
    ImageSourceError,
    fetch_imagenette,
    load_folder,
    load_imagenette,
    make_synthetic,
)
from lesson.data.leftovers import remove_leftovers
from lesson.data.own_images import check_folder_rules
from lesson.data.rsa_selection import rsa_selection
from lesson.data.weights import WeightsInfo, choose_weights, torch_version

__all__ = ["Sources", "choose_images", "resolve_sources", "prepare_bank", "import_analysis_libraries_in_background",
           "check_cache_dir", "usable_settings"]


def check_cache_dir(settings: Settings, *, writable: bool = True) -> None:
    """Raise ``CacheDirUnusable`` when ``settings.cache_dir`` (LESSON_CACHE_DIR) cannot hold the cache: it is a
    file, or (``writable``) it cannot be created or written. A read-only folder can still serve its banks."""
    folder = Path(settings.cache_dir)
    fix = "Set LESSON_CACHE_DIR to a folder you can write (or unset it for the default, ~/.cache/alexnet-lesson)."
    if folder.exists() and not folder.is_dir():
        raise CacheDirUnusable(f"the cache folder {str(folder)!r} (LESSON_CACHE_DIR) is a file, not a folder. {fix}")
    if not writable and folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise CacheDirUnusable(f"the cache folder {str(folder)!r} (LESSON_CACHE_DIR) cannot be created or written "
                               f"({error.strerror or error}). {fix}") from error


def usable_settings(settings: Settings) -> tuple[Settings, tuple[str, ...]]:
    """The settings, or (for the app, as the README promises) the same with a temporary cache folder in place
    of an unusable one, and a notice saying so."""
    try:
        check_cache_dir(settings, writable=not _has_banks(settings))
        return settings, ()
    except CacheDirUnusable as error:
        stand_in = Path(tempfile.gettempdir()) / f"alexnet-lesson-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"
        try:
            check_cache_dir(settings.with_(cache_dir=stand_in))
        except CacheDirUnusable:
            raise error from None
        return settings.with_(cache_dir=stand_in), (f"{error} Using the temporary folder {stand_in} instead "
                                                    "(it is not kept: the data is prepared again after a restart).",)


def _has_banks(settings: Settings) -> bool:
    try:
        return any((path / "provenance.json").is_file() for path in (Path(settings.cache_dir) / "banks").iterdir())
    except OSError:
        return False


def _open_bank(path: Path, repairs: list[str]):
    """The bank at ``path``, or None when there is none; a damaged one is moved aside (a notice in ``repairs``)."""
    from lesson.data.bank import load_bank
    from lesson.data.bank_check import set_aside

    if not path.is_dir():
        return None
    try:
        return load_bank(path)
    except BankDamaged as error:
        aside = set_aside(path)
        where = f"moved to {aside}" if aside != path else "removed"
        repairs.append(f"The activation bank was damaged ({error}); it was {where} and is built again.")
        return None


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
            image_set = load_folder(Path(settings.images), per_class=settings.images_loaded_per_class)
            counts = np.bincount(image_set.labels, minlength=len(image_set.class_names))
            check_folder_rules(settings.images, list(zip(image_set.class_names, counts.tolist())),
                               list(image_set.skipped))  # the app's box applies the same rules
            return image_set, notices
        except ImageSourceError as error:
            raise SourceUnavailable(f"LESSON_IMAGES: {error}") from error
    archive_dir = settings.cache_dir / "imagenette2-160"
    try:
        hand_placed = (settings.cache_dir / "imagenette2-160.tgz").is_file()
        if settings.offline and not (archive_dir / "extracted.json").exists() and not hand_placed:
            raise DownloadError("offline mode (LESSON_OFFLINE=1) is on")
        val_dir = fetch_imagenette(settings.cache_dir, settings.imagenette_url, offline=settings.offline,
                                   progress=progress or terminal_progress("Imagenette"), notices=notices)
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
    from lesson.data.bank import bank_key
    from lesson.data.bank_build import build_bank
    from lesson.data.bank_index import recall, remember, request_fingerprint

    check_cache_dir(settings, writable=not _has_banks(settings))  # read-only is fine while it only serves banks
    remove_leftovers(settings.cache_dir)  # a killed download's .part, a killed build's .partial, grader folders
    repairs: list[str] = []

    # The quick way: the same request (same settings, same files on disk) was answered before.
    quick = None if sources is not None or require_pretrained or require_lesson_images else request_fingerprint(settings)
    known = recall(settings, quick) if quick else None
    if known is not None:
        bank = _open_bank(settings.cache_dir / "banks" / known["key"], repairs)
        if bank is not None:
            return bank, Sources.from_bank(bank, tuple(known["notices"]))

    sources = sources or resolve_sources(settings, require_pretrained=require_pretrained,
                                         require_lesson_images=require_lesson_images, progress=download_progress)
    settings_part = {"pca_units": settings.pca_units, "stored_units": settings.stored_units,
                     "per_class": settings.images_per_class, "n_extreme": settings.n_extreme,
                     "pca_per_class": settings.images_loaded_per_class}
    key = bank_key(weights_sha256=sources.weights.sha256, manifest_sha256=sources.images.manifest_sha256,
                   settings_part=settings_part, torch_version=torch_version())
    lasting = sources.notices  # remembered with the bank; a repair is said once, in this answer only
    existing = _open_bank(settings.cache_dir / "banks" / key, repairs)
    sources = replace(sources, notices=lasting + tuple(repairs))
    if existing is not None:
        if quick:
            remember(settings, quick, key, lasting)
        return existing, sources
    if not build:
        return None, sources
    check_cache_dir(settings)  # a bank is written now
    from lesson.data.network import build_model

    if analyses_follow:  # their import runs while the network computes (torch does not hold the GIL)
        import_analysis_libraries_in_background()
    image_redness, rsa_indices, rsa_order = rsa_selection(sources.images, settings)
    bank = build_bank(settings.cache_dir, sources.images, build_model(sources.weights), sources.weights,
                      key=key, settings_part=settings_part, image_redness=image_redness, rsa_indices=rsa_indices,
                      rsa_order=rsa_order, batch_size=settings.batch_size, notices=lasting, progress=progress)
    if quick:
        remember(settings, quick, key, lasting)
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
