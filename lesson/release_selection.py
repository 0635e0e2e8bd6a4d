"""The RSA images without the reference solutions (a student release): the selection stored with the grading fixtures.

``lesson.sources.rsa_selection`` computes every image's redness and picks, per class, the reddest and least red
images with the reference solutions. A student release has none; the instructor's release stores the result
for the images it was built with (and for the synthetic stand-in) in ``grader/fixtures/``. For other images
the first images of each class in file order are used, and the bank's ``rsa_order`` says so.
"""

from __future__ import annotations

import logging

import numpy as np

__all__ = ["rsa_selection"]

_LOG = logging.getLogger(__name__)


def _stored(images, settings) -> dict | None:
    try:
        from grader.fixtures import DEFAULT_FIXTURES_DIR, FixtureSource

        return FixtureSource.load(DEFAULT_FIXTURES_DIR).selection(images.manifest_sha256, settings.images_per_class,
                                                                  settings.n_extreme)
    except Exception as error:  # noqa: BLE001 (no or damaged fixtures: the fallback below, said loudly)
        _LOG.warning("no stored RSA selection could be read (%s)", error)
        return None


def rsa_selection(images, settings):
    """Same contract as ``lesson.sources.rsa_selection``: ``(redness (n_images,), rsa_indices (n_rsa,), description)``.

    Redness is NaN when it is not stored (computing it is an exercise of the lesson).
    """
    stored = _stored(images, settings)
    if stored is not None and len(stored["redness"]) == images.n_images:
        return (np.asarray(stored["redness"]), np.asarray(stored["rsa_indices"], dtype=np.int64),
                f"{stored['rsa_order']} (stored with the grading fixtures)")
    labels = np.asarray(images.labels)
    n_extreme = min(settings.n_extreme, int(np.bincount(labels).min()) // 2)
    if n_extreme < 1:
        from lesson.sources import SourceUnavailable

        raise SourceUnavailable("every class needs at least 2 images to pick its RSA images")
    indices = np.concatenate([np.flatnonzero(labels == label)[:2 * n_extreme] for label in np.unique(labels)])
    message = (f"these images are not the ones the grading fixtures were built with, and the reference solutions are "
               f"not part of a student release: the RSA images are the first {2 * n_extreme} images of each class "
               "in file order (not ordered by redness)")
    _LOG.warning(message)
    return np.full(images.n_images, np.nan, dtype=np.float32), indices.astype(np.int64), message
