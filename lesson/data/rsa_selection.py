"""The RSA images: every image's redness and, per class, its reddest and least red images.

With the reference solutions (the course repository) they are computed; a student release has none, so the
instructor's release stores the result for the images it was built with (and for the synthetic stand-in)
beside the grading fixtures (``STORED_FILE``). For other images the first images of each class in file
order are used, and the bank's ``rsa_order`` says so.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lesson.data.errors import SourceUnavailable
from lesson.references import reference, references_available

if TYPE_CHECKING:
    from lesson.config import Settings
    from lesson.data.images import ImageSet

__all__ = ["rsa_selection", "stored_rsa_selection", "write_stored_selections", "STORED_FILE"]

_LOG = logging.getLogger(__name__)
STORED_FILE = Path(__file__).with_name("rsa_selections.json")  # written into a student release only


def rsa_selection(images: ImageSet, settings: Settings):
    """Redness of every image and the RSA images: per class its reddest, then its least red, among its first ones.

    Returns ``(redness (n_images,), rsa_indices (n_rsa,), description)``. Uses the reference solutions.
    """
    if not references_available():  # a student release: the selection stored by the instructor's release
        return stored_rsa_selection(images, settings)
    redness = reference("stimuli", "redness")
    pick_redness_extrema = reference("stimuli", "pick_redness_extrema")

    image_redness = np.concatenate([redness(images.display[start:start + 32].transpose(0, 3, 1, 2) / np.float32(255))
                                    for start in range(0, images.n_images, 32)])  # chunks of (32, 3, H, W) in [0, 1]
    candidates = min(int(np.bincount(images.labels).min()), settings.images_per_class)  # the RSA picks among these
    n_extreme = min(settings.n_extreme, candidates // 2)
    if n_extreme < 1:
        raise SourceUnavailable("every class needs at least 2 images to pick its reddest and least red image")
    indices = pick_redness_extrema(image_redness, images.labels, per_class=settings.images_per_class,
                                   n_extreme=n_extreme)
    return image_redness, indices, (f"per class: {n_extreme} reddest (descending), then {n_extreme} least red "
                                    f"(ascending), among the first {settings.images_per_class} images of the class")


def write_stored_selections(selections, path: Path = STORED_FILE) -> None:
    """Store RSA selections for a student release: each a dict with manifest_sha256, per_class, n_extreme,
    redness (n_images,), rsa_indices (n_rsa,) and rsa_order (its description)."""
    from lesson.atomic import write_atomic

    plain = [{key: np.asarray(value).tolist() if key in ("redness", "rsa_indices") else value
              for key, value in selection.items()} for selection in selections]
    write_atomic(Path(path), (json.dumps(plain) + "\n").encode())


def _stored(images, settings, path: Path) -> dict | None:
    try:
        selections = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        _LOG.warning("the stored RSA selections in %s could not be read (%s)", path, error)
        return None
    wanted = (images.manifest_sha256, settings.images_per_class, settings.n_extreme)
    for selection in selections if isinstance(selections, list) else ():
        if isinstance(selection, dict) and (selection.get("manifest_sha256"), selection.get("per_class"),
                                            selection.get("n_extreme")) == wanted:
            return selection
    return None


def stored_rsa_selection(images: ImageSet, settings: Settings, path: Path = STORED_FILE):
    """Same contract as ``rsa_selection``, without the reference solutions: ``(redness (n_images,), rsa_indices
    (n_rsa,), description)`` as stored by the release, else the first images of each class (redness NaN: computing
    it is an exercise of the lesson).
    """
    stored = _stored(images, settings, path)
    if stored is not None and len(stored["redness"]) == images.n_images:
        return (np.asarray(stored["redness"], dtype=np.float32), np.asarray(stored["rsa_indices"], dtype=np.int64),
                f"{stored['rsa_order']} (stored with the release)")
    labels = np.asarray(images.labels)
    n_extreme = min(settings.n_extreme, min(int(np.bincount(labels).min()), settings.images_per_class) // 2)
    if n_extreme < 1:
        raise SourceUnavailable("every class needs at least 2 images to pick its RSA images")
    indices = np.concatenate([np.flatnonzero(labels == label)[:2 * n_extreme] for label in np.unique(labels)])
    message = (f"these images are not the ones the release was built with, and the reference solutions are "
               f"not part of a student release: the RSA images are the first {2 * n_extreme} images of each class "
               "in file order (not ordered by redness)")
    _LOG.warning(message)
    return np.full(images.n_images, np.nan, dtype=np.float32), indices.astype(np.int64), message
