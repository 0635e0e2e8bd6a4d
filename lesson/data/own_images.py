"""The student's own images: check a folder of class sub-folders before the app builds a bank from it.

``lesson.data.images.load_folder`` does the real loading (and skips unreadable files); this check runs first, so that
a wrong path or an empty class gets a message that says what to fix, and unreadable files are named (by this
folder's own names: a bank is keyed by image content, so a bank built from another copy cannot tell).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from lesson.data.images import IMAGE_SUFFIXES, ImageSourceError

__all__ = ["FolderCheck", "MAX_CLASSES", "check_image_folder"]

MAX_CLASSES = 8  # the RSA keeps 10 images per class with their full responses: 8 classes are 80 images, ~0.4 GB


@dataclass(frozen=True)
class FolderCheck:
    """What a folder offers: its classes with the number of readable images used, and the unreadable files."""

    root: Path  # resolved
    class_counts: tuple[tuple[str, int], ...]  # (class folder name, readable images used, at most per_class)
    unreadable: tuple[str, ...]  # "class/file" of files with an image suffix that cannot be opened

    @property
    def n_images(self) -> int:
        return sum(count for _, count in self.class_counts)

    def summary(self) -> str:
        classes = ", ".join(f"{name} ({count})" for name, count in self.class_counts)
        return f"{len(self.class_counts)} classes, {self.n_images} images: {classes}"


def _readable(path: Path) -> bool:
    try:
        with Image.open(path) as image:
            image.load()  # decode: a file with a good header can still be truncated
        return True
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False


def check_image_folder(folder: str | Path, *, per_class: int = 40, max_classes: int = MAX_CLASSES) -> FolderCheck:
    """Check that ``folder`` holds class sub-folders of readable images, as ``load_folder`` reads them.

    Classes are the non-hidden sub-folders in sorted order; per class the first ``per_class`` readable files
    (sorted by name, with an image suffix) are used. Raises ``ImageSourceError`` saying what is wrong and how
    to fix it: an empty path, a path that does not exist or is not a folder, no class sub-folders, only one or
    too many classes, a class with fewer than 2 readable images (unreadable files named).
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
    if len(class_dirs) == 1:
        raise ImageSourceError(f"{text!r} has only one class sub-folder ({class_dirs[0].name!r}); the lesson compares "
                               "classes, so add at least one more sub-folder of images.")
    if len(class_dirs) > max_classes:
        raise ImageSourceError(f"{text!r} has {len(class_dirs)} class sub-folders; the app shows at most "
                               f"{max_classes}. Make a folder with fewer classes (copies or links of some of them).")
    counts, unreadable = [], []
    for class_dir in class_dirs:
        try:
            files = sorted(path for path in class_dir.iterdir()
                           if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES)
        except PermissionError as error:
            raise ImageSourceError(f"class folder {class_dir.name!r} cannot be read ({error.strerror}).") from error
        bad_here, n_readable = [], 0
        for path in files:
            if n_readable >= per_class:
                break
            if _readable(path):
                n_readable += 1
            else:
                bad_here.append(f"{class_dir.name}/{path.name}")
        unreadable += bad_here
        if n_readable < 2:
            found = (f"it has no image files (looked for {', '.join(sorted(IMAGE_SUFFIXES))})" if not files else
                     f"it has {n_readable} readable image{'s' if n_readable != 1 else ''}")
            named = f"; these files could not be read: {', '.join(bad_here[:10])}" if bad_here else ""
            raise ImageSourceError(f"class {class_dir.name!r} needs at least 2 readable images (its reddest and its "
                                   f"least red), but {found}{named}. Add images or remove that sub-folder.")
        counts.append((class_dir.name, n_readable))
    return FolderCheck(root, tuple(counts), tuple(unreadable))
