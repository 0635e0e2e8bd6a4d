"""The student's own images: check a folder of class sub-folders before the app builds a bank from it.

``lesson.data.images.load_folder`` does the real loading (and skips unreadable files); this check runs first, so that
a wrong path or an empty class gets a message that says what to fix, and unreadable files are named (by this
folder's own names: a bank is keyed by image content, so a bank built from another copy cannot tell).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lesson.data.images import IMAGE_SUFFIXES, ImageSourceError, UnusableImage, decode_image, printable_name

__all__ = ["FolderCheck", "MAX_CLASSES", "MIN_PER_CLASS", "check_image_folder", "check_folder_rules"]

MIN_PER_CLASS = 2  # the RSA order takes each class's reddest and least red image
MAX_CLASSES = 8  # the RSA keeps 10 images per class with their full responses: 8 classes are 80 images, ~0.4 GB


@dataclass(frozen=True)
class FolderCheck:
    """What a folder offers: its classes with the number of readable images used, and the unreadable files."""

    root: Path  # resolved
    class_counts: tuple[tuple[str, int], ...]  # (class folder name, readable images used, at most per_class)
    unreadable: tuple[str, ...]  # "class/file (why)" of files with an image suffix that cannot be used

    @property
    def n_images(self) -> int:
        return sum(count for _, count in self.class_counts)

    def summary(self) -> str:
        classes = ", ".join(f"{name} ({count})" for name, count in self.class_counts)
        return f"{len(self.class_counts)} classes, {self.n_images} images: {classes}"


def _unusable_reason(path: Path) -> str | None:
    """Why the file cannot be used, decoded exactly as the bank decodes it (bounded in memory), or None."""
    try:
        decode_image(path)
    except UnusableImage as error:
        return str(error)
    return None


def check_folder_rules(folder: str, class_counts: list[tuple[str, int]], unusable: list[str], *,
                       max_classes: int = MAX_CLASSES) -> None:
    """The folder rules that the app's box and ``python -m lesson prepare`` (LESSON_IMAGES=FOLDER) both apply,
    before torch is imported: at least 2 and at most ``max_classes`` classes, each with at least
    ``MIN_PER_CLASS`` usable images. ``class_counts``: (class name, usable images); ``unusable``: "class/file
    (why)". Raises ``ImageSourceError`` naming the class and what is needed."""
    if len(class_counts) == 1:
        raise ImageSourceError(f"{folder!r} has only one class sub-folder ({class_counts[0][0]!r}); the lesson compares "
                               "classes, so add at least one more sub-folder of images.")
    if len(class_counts) > max_classes:
        raise ImageSourceError(f"{folder!r} has {len(class_counts)} class sub-folders; the lesson uses at most "
                               f"{max_classes}. Make a folder with fewer classes (copies or links of some of them).")
    for name, count in class_counts:
        if count < MIN_PER_CLASS:
            bad_here = [entry for entry in unusable if entry.startswith(f"{name}/")]
            named = f"; these files could not be used: {'; '.join(bad_here[:10])}" if bad_here else ""
            raise ImageSourceError(f"class {name!r} has {count} usable image{'s' if count != 1 else ''}; at least "
                                   f"{MIN_PER_CLASS} are needed (its reddest and its least red){named}. Add images "
                                   "to that sub-folder or remove it.")


def check_image_folder(folder: str | Path, *, per_class: int = 40, max_classes: int = MAX_CLASSES) -> FolderCheck:
    """Check that ``folder`` holds class sub-folders of readable images, as ``load_folder`` reads them.

    Classes are the non-hidden sub-folders in sorted order; per class the first ``per_class`` readable files
    (sorted by name, with an image suffix) are used. Raises ``ImageSourceError`` saying what is wrong and how
    to fix it: an empty path, a path that does not exist or is not a folder, no class sub-folders, and the
    rules of ``check_folder_rules`` (unreadable files named, with the reason).
    """
    text = str(folder).strip()
    if not text:
        raise ImageSourceError("Type the path of a folder first, e.g. /home/me/pictures/my-classes.")
    root = Path(text).expanduser()
    if not root.exists():
        raise ImageSourceError(f"{text!r} does not exist. Check the spelling, and give the full path (it is "
                               f"looked up from {Path.cwd()} when it is relative).")
    if not root.is_dir():
        raise ImageSourceError(f"{text!r} is a file, not a folder. Give the folder that holds one sub-folder "
                               "per class.")
    root = root.resolve()
    try:
        class_dirs = sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith("."))
    except PermissionError as error:
        raise ImageSourceError(f"{text!r} cannot be read ({error.strerror}). Check its permissions.") from error
    if not class_dirs:
        raise ImageSourceError(f"{text!r} has no class sub-folders. Put each class's images in its own "
                               "sub-folder, e.g. FOLDER/cats/1.jpg and FOLDER/dogs/1.jpg, and give FOLDER.")
    if len(class_dirs) > max_classes:  # before decoding anything
        check_folder_rules(text, [(printable_name(path.name), 0) for path in class_dirs], [], max_classes=max_classes)
    counts, unreadable = [], []
    for class_dir in class_dirs:
        name = printable_name(class_dir.name)
        try:
            files = sorted(path for path in class_dir.iterdir()
                           if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES)
        except PermissionError as error:
            raise ImageSourceError(f"class folder {name!r} cannot be read ({error.strerror}).") from error
        n_readable = 0
        for path in files:
            if n_readable >= per_class:
                break
            reason = _unusable_reason(path)
            if reason is None:
                n_readable += 1
            else:
                unreadable.append(f"{name}/{printable_name(path.name)} ({reason})")
        if not files:
            raise ImageSourceError(f"class {name!r} has no image files (looked for {', '.join(sorted(IMAGE_SUFFIXES))}). "
                                   "Add images or remove that sub-folder.")
        counts.append((name, n_readable))
    check_folder_rules(text, counts, unreadable, max_classes=max_classes)
    return FolderCheck(root, tuple(counts), tuple(unreadable))
