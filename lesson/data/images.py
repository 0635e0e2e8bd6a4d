"""Stimuli: the lesson's images from Imagenette, a user folder, or a synthetic stand-in, preprocessed as AlexNet expects."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lesson.atomic import write_atomic
from lesson.data.download import DownloadError, download, set_aside_rejected
from lesson.data.errors import DataError

__all__ = [
    "ImageSet", "ImageSourceError", "LESSON_CLASSES", "IMAGENETTE_MD5S", "IMAGENET_MEAN", "IMAGENET_STD",
    "PREPROCESSING", "preprocess", "to_network_input", "load_folder", "load_imagenette", "fetch_imagenette",
    "make_synthetic", "IMAGE_SUFFIXES", "MAX_PIXELS", "UnusableImage", "decode_image", "printable_name",
]

# The four lesson classes: ImageNet wnid -> name, in the sorted folder order used everywhere.
LESSON_CLASSES = {"n03000684": "chain saw", "n03394916": "French horn", "n03425413": "gas pump", "n03445777": "golf ball"}
IMAGENETTE_MD5S = ("e793b78cc4c9e9a4ccc0c1155377a412", "0edfc972b5c9817ac36517c0057f3869")  # the archive was re-issued
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
RESIZE, CROP = 256, 224
PREPROCESSING = "resize short side to 256 (PIL bilinear, antialiased), centre crop 224, ImageNet mean/std"
IMAGE_SUFFIXES = {".jpeg", ".jpg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm"}


class ImageSourceError(DataError, ValueError):
    """The images could not be loaded as asked; the message says how to fix it."""


@dataclass(frozen=True)
class ImageSet:
    """Images as the network sees them, plus where they came from."""

    display: np.ndarray  # (n_images, 224, 224, 3) uint8 RGB after resize + centre crop
    labels: np.ndarray  # (n_images,) int64 class index into class_names
    class_names: tuple[str, ...]
    names: tuple[str, ...]  # one per image: "class_folder/file name"
    source: str  # "imagenette" | "folder" | "synthetic"
    description: str  # for people: where the images are from
    manifest_sha256: str  # hash of the names and bytes of every image used
    skipped: tuple[str, ...] = field(default=())  # unusable files: "class/file (why)"

    @property
    def n_images(self) -> int:
        return int(self.labels.shape[0])

    def rgb01(self) -> np.ndarray:
        """(n_images, 3, 224, 224) float32 RGB in [0, 1], channels first, as the exercises take it."""
        return self.display.transpose(0, 3, 1, 2).astype(np.float32) / 255.0


MAX_PIXELS = 40_000_000  # width × height refused above this: decoding holds ~3 bytes per pixel (120 MB here)


_LONGEST_RESIZED = 4096  # resized long side above this (aspect ratio > 16): only the crop's region is resized


class UnusableImage(ValueError):
    """One image file that cannot be used; the message says why (the caller names the file)."""


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode -> RGB, faithfully: 16- and 32-bit grayscale scaled to 8 bits (not clipped), alpha
    composited on white, palette and CMYK converted by Pillow."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(image, dtype=np.float64)  # (height, width); 16-bit PNGs open as 'I;16' or 'I'
        peak = 255.0 if values.max(initial=0) <= 255 else 65535.0  # 'I' from an 8-bit source keeps 0..255
        return Image.fromarray(np.clip(np.rint(values * (255.0 / peak)), 0, 255).astype(np.uint8)).convert("RGB")
    if image.mode == "F":  # floating-point TIFFs: [0, 1] when nothing exceeds 1, else 0..255
        values = np.nan_to_num(np.asarray(image, dtype=np.float64))
        scale = 255.0 if values.max(initial=0) <= 1.0 else 1.0
        return Image.fromarray(np.clip(np.rint(values * scale), 0, 255).astype(np.uint8)).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")  # grayscale, palette, CMYK, YCbCr, ...


def preprocess(image: Image.Image) -> np.ndarray:
    """One PIL image -> (224, 224, 3) uint8: RGB, EXIF orientation applied, short side 256, centre crop 224.

    The same steps as ``AlexNet_Weights.IMAGENET1K_V1.transforms()`` on a PIL image (checked in the tests), but
    only the cropped part is resized: Pillow's ``resize(box=...)`` maps the crop's region of the source onto
    224 × 224 with the full resize's scale, so memory stays bounded for any aspect ratio (a 1 × 30000 image
    would otherwise be resized to 256 × 7,680,000 before cropping). Only images whose resized long side would
    exceed 4096 px take that path (its pixels may differ from resize-then-crop by one level of 255).
    """
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UnusableImage(f"it is {width} × {height} pixels, more than the {MAX_PIXELS:,} this lesson decodes; "
                            "save a smaller copy")
    image = _to_rgb(ImageOps.exif_transpose(image))
    width, height = image.size
    if width <= height:
        new_size = (RESIZE, int(RESIZE * height / width))
    else:
        new_size = (int(RESIZE * width / height), RESIZE)
    top, left = int(round((new_size[1] - CROP) / 2.0)), int(round((new_size[0] - CROP) / 2.0))
    if max(new_size) <= _LONGEST_RESIZED:  # the usual case: exactly torchvision's resize, then crop
        resized = image.resize(new_size, Image.BILINEAR)
        return np.asarray(resized.crop((left, top, left + CROP, top + CROP)), dtype=np.uint8)
    scale_x, scale_y = width / new_size[0], height / new_size[1]  # source pixels per resized pixel
    box = (left * scale_x, top * scale_y, (left + CROP) * scale_x, (top + CROP) * scale_y)
    return np.asarray(image.resize((CROP, CROP), Image.BILINEAR, box=box), dtype=np.uint8)  # within 1 level


def decode_image(path: Path) -> np.ndarray:
    """One image file -> (224, 224, 3) uint8 as ``preprocess`` makes it; ``UnusableImage`` saying why not."""
    try:
        with Image.open(path) as image:
            return preprocess(image)
    except UnusableImage:
        raise
    except Image.DecompressionBombError as error:
        raise UnusableImage(f"it is too large to decode safely ({error})") from error
    except UnidentifiedImageError as error:
        raise UnusableImage("it is not an image Pillow can read") from error
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as error:  # truncated, unsupported mode, ...
        raise UnusableImage(f"it could not be decoded ({error})") from error


def printable_name(name: str) -> str:
    """A file name as text that can always be printed and stored: bytes that are not UTF-8 become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def to_network_input(display: np.ndarray) -> np.ndarray:
    """(n, 224, 224, 3) uint8 -> (n, 3, 224, 224) float32, normalised with the ImageNet mean and std."""
    rgb = display.astype(np.float32) / 255.0
    return np.ascontiguousarray(((rgb - IMAGENET_MEAN) / IMAGENET_STD).transpose(0, 3, 1, 2))


def _decode(path: Path) -> np.ndarray | str:
    """The image's pixels, or why it cannot be used."""
    try:
        return decode_image(path)
    except UnusableImage as error:
        return str(error)


def load_folder(root: Path, *, per_class: int | None = None, class_names: dict[str, str] | None = None,
                source: str = "folder", description: str | None = None) -> ImageSet:
    """Images from ``root/<class>/<file>``: classes in sorted folder order, files in sorted name order.

    ``per_class`` keeps the first that many readable images of each class. Unreadable files are skipped and
    listed in ``ImageSet.skipped``. Files are decoded in parallel threads (Pillow releases the GIL).
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise ImageSourceError(f"image folder {str(root)!r} does not exist or is not a folder. "
                               "Give a folder that holds one sub-folder of images per class.")
    class_dirs = sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith("."))
    if class_dirs and class_names is not None:
        class_dirs = [path for path in class_dirs if path.name in class_names]
    if not class_dirs:
        raise ImageSourceError(f"image folder {str(root)!r} has no class sub-folders. Put each class's images "
                               "in its own sub-folder, e.g. FOLDER/cats/1.jpg, FOLDER/dogs/1.jpg.")
    displays, labels, names, skipped, digest = [], [], [], [], hashlib.sha256()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for label, class_dir in enumerate(class_dirs):
            files = sorted(p for p in class_dir.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            kept = 0
            # Decode in chunks so that skipping an unreadable file still yields `per_class` images when possible.
            for start in range(0, len(files), 64):
                if per_class is not None and kept >= per_class:
                    break
                chunk = files[start:start + 64]
                for path, pixels in zip(chunk, pool.map(_decode, chunk)):
                    if per_class is not None and kept >= per_class:
                        break
                    relative = printable_name(f"{class_dir.name}/{path.name}")
                    if isinstance(pixels, str):
                        skipped.append(f"{relative} ({pixels})")
                        continue
                    displays.append(pixels)
                    labels.append(label)
                    names.append(relative)
                    raw_name = os.fsencode(class_dir.name) + b"/" + os.fsencode(path.name)  # any bytes, even not UTF-8
                    digest.update(raw_name + b"\0" + hashlib.sha256(path.read_bytes()).digest())
                    kept += 1
            if kept == 0:
                why = [entry for entry in skipped if entry.startswith(printable_name(class_dir.name) + "/")][:5]
                raise ImageSourceError(f"class {printable_name(class_dir.name)!r} in {str(root)!r} has no readable images "
                                       f"(looked for {', '.join(sorted(IMAGE_SUFFIXES))}"
                                       + (f"; unusable: {'; '.join(why)}" if why else "")
                                       + "). Add images or remove that sub-folder.")
    names_by_folder = class_names or {}
    return ImageSet(
        display=np.stack(displays), labels=np.asarray(labels, dtype=np.int64),
        class_names=tuple(names_by_folder.get(path.name, printable_name(path.name)) for path in class_dirs),
        names=tuple(names), source=source,
        description=description or f"your folder {root} ({len(class_dirs)} classes, {len(names)} images)",
        manifest_sha256=digest.hexdigest(), skipped=tuple(skipped),
    )


def fetch_imagenette(cache_dir: Path, url: str, *, progress=None, offline: bool = False,
                     notices: list[str] | None = None) -> Path:
    """Download the Imagenette 160 px archive once and extract the lesson classes' validation images.

    Returns the folder ``<cache>/imagenette2-160/val`` holding one sub-folder per lesson class. An archive
    placed in the cache by hand is used (also ``offline``) when it verifies; one that does not is kept aside as
    ``.rejected`` and reported (``notices``). Raises ``DownloadError`` when the archive cannot be had.
    """
    target = Path(cache_dir) / "imagenette2-160" / "val"
    marker = target.parent / "extracted.json"
    if marker.exists() and all((target / wnid).is_dir() for wnid in LESSON_CLASSES):
        return target
    archive = download(url, Path(cache_dir) / "imagenette2-160.tgz", expected_md5=IMAGENETTE_MD5S, progress=progress,
                       offline=offline, notices=notices)
    staging = target.parent.with_name(".imagenette2-160.extracting")
    shutil.rmtree(staging, ignore_errors=True)
    wanted = tuple(f"imagenette2-160/val/{wnid}/" for wnid in LESSON_CLASSES)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith(wanted)]
            for member in members:
                member.name = member.name.removeprefix("imagenette2-160/")  # -> val/<wnid>/<file>
                tar.extract(member, staging, filter="data")
    except (tarfile.TarError, EOFError, OSError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        rejected = set_aside_rejected(archive)
        raise DownloadError(f"the Imagenette archive {archive} is damaged ({error}); it was kept as {rejected} and "
                            "a fresh copy is fetched next time") from error
    shutil.rmtree(target.parent, ignore_errors=True)
    staging.rename(target.parent)
    write_atomic(marker, json.dumps({"url": url, "md5": IMAGENETTE_MD5S, "classes": list(LESSON_CLASSES)}))
    return target


def load_imagenette(val_dir: Path, *, per_class: int) -> ImageSet:
    """The lesson's images: the first ``per_class`` files (sorted by name) of each lesson class's validation folder."""
    image_set = load_folder(val_dir, per_class=per_class, class_names=LESSON_CLASSES, source="imagenette",
                            description=f"Imagenette 160 px validation images, first {per_class} per class by file name")
    short = [wnid for wnid, count in zip(LESSON_CLASSES, np.bincount(image_set.labels)) if count < per_class]
    if short:
        raise ImageSourceError(f"the Imagenette folder {val_dir} has fewer than {per_class} readable images for "
                               f"{', '.join(short)}; delete {Path(val_dir).parent} to fetch it again")
    return image_set


# --- Synthetic stand-in: four "classes" of pattern, each image tinted from red to blue ---------------------------

SYNTHETIC_CLASSES = ("stripes", "rings", "checks", "blobs")


def _synthetic_pattern(kind: int, rng: np.random.Generator, size: int) -> np.ndarray:
    """(size, size) pattern in [0, 1] whose geometry identifies the class."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    phase, frequency = rng.uniform(0, 2 * np.pi), rng.uniform(6, 10)
    if kind == 0:  # oriented stripes
        angle = rng.uniform(-0.3, 0.3)
        pattern = np.sin(2 * np.pi * frequency * (x * np.cos(angle) + y * np.sin(angle)) + phase)
    elif kind == 1:  # concentric rings around a jittered centre
        cy, cx = rng.uniform(0.35, 0.65, size=2)
        pattern = np.sin(2 * np.pi * frequency * np.hypot(x - cx, y - cy) + phase)
    elif kind == 2:  # checkerboard
        pattern = np.sign(np.sin(np.pi * frequency * x + phase)) * np.sign(np.sin(np.pi * frequency * y))
    else:  # smooth blobs
        pattern = np.zeros_like(x)
        for cy, cx in rng.uniform(0.1, 0.9, size=(5, 2)):
            pattern += np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 0.01)
        pattern = 2 * pattern / pattern.max() - 1
    return (pattern + 1) / 2


def make_synthetic(*, per_class: int = 40, size: int = 160, seed: int = 0) -> ImageSet:
    """Deterministic stand-in stimuli: 4 pattern classes × ``per_class`` images, tints spread from red to blue.

    The class is carried by the pattern's geometry and the colour by a tint that varies within each class,
    so both class-driven and colour-driven structure exist, as with the real lesson images.
    """
    rng = np.random.default_rng(seed)
    displays, labels, names = [], [], []
    for label, class_name in enumerate(SYNTHETIC_CLASSES):
        for index in range(per_class):
            pattern = _synthetic_pattern(label, rng, size)
            red_weight = (index * 7919 % per_class) / max(per_class - 1, 1)  # shuffled tints in [0, 1]
            tint = np.array([0.25 + 0.75 * red_weight, 0.45, 1.0 - 0.75 * red_weight], dtype=np.float32)
            rgb = 0.15 + 0.8 * pattern[..., None] * tint + rng.normal(0, 0.03, size=(size, size, 3))
            pixels = (np.clip(rgb, 0, 1) * 255).astype(np.uint8)
            displays.append(preprocess(Image.fromarray(pixels)))
            labels.append(label)
            names.append(f"{class_name}/{class_name}_{index:03d}.png")
    display = np.stack(displays)
    digest = hashlib.sha256(f"synthetic:{per_class}:{size}:{seed}".encode() + display.tobytes()).hexdigest()
    return ImageSet(display=display, labels=np.asarray(labels, dtype=np.int64), class_names=SYNTHETIC_CLASSES,
                    names=tuple(names), source="synthetic",
                    description=f"synthetic stand-in patterns ({len(SYNTHETIC_CLASSES)} classes × {per_class}, seed {seed})",
                    manifest_sha256=digest)
