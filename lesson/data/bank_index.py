"""Which bank answers a request, remembered by a cheap fingerprint, so that a warm start skips decoding and
hashing every image (0.3-1 s) just to find out that the bank exists.

``prepare_bank`` finds a bank by its key: the sha256 of the weights file and of the images' bytes. Computing
that key means reading every image. The fingerprint here is a digest of everything that choice depends on that
can be read without opening the images: the settings, the size and modification time of every image file and
of the weights file, the torch version, and the code that decodes and selects. After a bank is prepared the
slow way, ``remember`` stores ``fingerprint -> bank key (+ notices)`` in ``<cache>/bank-requests/``; ``recall``
answers the same request from there while nothing it depends on has changed.

A request that could download something (the pretrained file or Imagenette missing while online) has no
fingerprint: it always takes the slow path, which may change what is on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from lesson.atomic import write_atomic
from lesson.config import Settings

__all__ = ["request_fingerprint", "recall", "remember"]

# what decides which images and weights a bank holds
_CODE = ("images.py", "prepare.py", "weights.py", "rsa_selection.py", "bank.py", "network.py")


def _stat(path: Path) -> list:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def _tree(root: Path) -> list:
    """Every file one or two levels below ``root`` (class folders and their images), with size and mtime."""
    entries = []
    for top in sorted(os.scandir(root), key=lambda entry: entry.name):
        if top.is_dir():
            entries += [[f"{top.name}/{entry.name}", *_stat(Path(entry.path))]
                        for entry in sorted(os.scandir(top.path), key=lambda entry: entry.name) if entry.is_file()]
        elif top.is_file():
            entries.append([top.name, *_stat(Path(top.path))])
    return entries


def _weights_part(settings: Settings) -> str | list | None:
    from lesson.data.weights import pretrained_cache_path

    if settings.weights == "random":
        return "random"
    if settings.weights not in ("pretrained", ""):
        path = Path(settings.weights).expanduser()
        return [str(path.resolve()), *_stat(path)] if path.is_file() else None
    cached = pretrained_cache_path()
    if cached.is_file():
        return [str(cached), *_stat(cached)]
    return "absent" if settings.offline else None  # online, the slow path would try to download it


def _images_part(settings: Settings) -> str | list | None:
    if settings.images == "synthetic":
        return "synthetic"
    if settings.images not in ("imagenette", ""):
        folder = Path(settings.images).expanduser()
        return [str(folder.resolve()), _tree(folder)] if folder.is_dir() else None
    extracted = settings.cache_dir / "imagenette2-160"
    if (extracted / "extracted.json").is_file():
        return [str(extracted), *_stat(extracted / "extracted.json"), _tree(extracted / "val")]
    return "absent" if settings.offline else None  # online, the slow path would try to download it


def request_fingerprint(settings: Settings) -> str | None:
    """A digest of everything the bank for ``settings`` depends on, or None when only the slow path can tell."""
    from lesson.data.weights import torch_version

    try:
        weights, images = _weights_part(settings), _images_part(settings)
    except OSError:  # a file vanished while looking: let the slow path report it
        return None
    if weights is None or images is None:
        return None
    here = Path(__file__).resolve().parent
    code = hashlib.sha256(b"".join((here / name).read_bytes() for name in _CODE)).hexdigest()
    request = {"weights": weights, "images": images, "torch": torch_version(), "code": code,
               "settings": [settings.images, settings.weights, settings.images_per_class, settings.n_extreme,
                            settings.pca_units, settings.stored_units, settings.random_seed, settings.offline,
                            settings.pca_images_per_class]}
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def _entry(settings: Settings, fingerprint: str) -> Path:
    return settings.cache_dir / "bank-requests" / f"{fingerprint}.json"


def recall(settings: Settings, fingerprint: str) -> dict | None:
    """``{"key": bank key, "notices": [...]}`` remembered for this fingerprint, if its bank still exists."""
    try:
        entry = json.loads(_entry(settings, fingerprint).read_text())
        if (settings.cache_dir / "banks" / entry["key"] / "provenance.json").is_file():
            return {"key": str(entry["key"]), "notices": [str(notice) for notice in entry.get("notices", [])]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def remember(settings: Settings, fingerprint: str, key: str, notices) -> None:
    """Store the answer atomically; a read-only cache only means the next start takes the slow path again."""
    path = _entry(settings, fingerprint)
    try:
        write_atomic(path, json.dumps({"key": key, "notices": list(notices)}))
    except OSError:
        pass
