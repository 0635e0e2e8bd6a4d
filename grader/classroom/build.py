"""Build grading fixtures of a case set from an activation bank with the reference solutions (instructor side only).

What goes in: every case of the case set (``grader/cases/case_sets.py``) with its expected output and its mistake
signatures; the bank cases are made of the set's bank subsample (``grader/cases/subsample.py``), so the fixtures
hold exactly the cases the course repository grades on. Public fixtures go into releases; hidden ones (from the
instructor's key) only into a Gradescope archive or an instructor's own ``--fixtures`` folder.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.cases.case_sets import PUBLIC, CaseSet
from grader.cases.case_sources import GROUPS, ReferenceSource
from grader.cases.fixtures import write_fixtures
from grader.cases.subsample import PCA_LAYERS, PCA_UNITS, PIXEL_STEP, RSA_UNITS
from grader.registry import EXERCISES

__all__ = ["RSA_UNITS", "PCA_UNITS", "PCA_LAYERS", "PIXEL_STEP", "build_fixtures", "stand_in_selection",
           "stand_in_notice"]


def stand_in_selection(settings) -> dict:
    """The RSA selection of the deterministic synthetic stand-in images (so a release builds the same bank)."""
    from lesson.data.images import make_synthetic
    from lesson.data.rsa_selection import rsa_selection

    images = make_synthetic(per_class=settings.images_loaded_per_class)
    redness, indices, order = rsa_selection(images, settings)
    return _selection(images.manifest_sha256, settings, redness, indices, order, "synthetic stand-in images")


def _selection(manifest_sha256, settings, redness, indices, order, source) -> dict:
    return {"manifest_sha256": manifest_sha256, "per_class": settings.images_per_class,
            "n_extreme": settings.n_extreme, "redness": np.asarray(redness), "rsa_indices": np.asarray(indices),
            "rsa_order": order, "source": source}


def _compact(case):
    """Bank cases keep their float signatures, and a PCA's expected components, in float32 (half the bytes; far
    inside the tolerances they are compared with)."""
    if case.group != "bank":
        return case
    signatures = {key: value.astype(np.float32) if value.dtype == np.float64 else value
                  for key, value in case.signatures.items()}
    case = replace(case, signatures=signatures)
    if isinstance(case.expected, tuple) and len(case.expected) == 3:
        components, variance, cumulative = case.expected
        return replace(case, expected=(np.asarray(components, dtype=np.float32), variance, cumulative))
    return case


def build_fixtures(bank, out_dir, *, settings, selections=None, case_set: CaseSet = PUBLIC) -> dict:
    """Compute every exercise's cases of ``case_set`` on ``bank`` with the reference solutions and write them."""
    source = ReferenceSource(bank, case_set)
    cases = {exercise.name: [_compact(case) for case in source.cases(exercise, GROUPS)] for exercise in EXERCISES}
    provenance = {key: value for key, value in source.provenance().items() if key not in ("source", "bank_path")}
    if selections is None:
        selections = [_selection(bank.provenance["images"]["manifest_sha256"], settings, bank.redness,
                                 bank.rsa_indices, bank.provenance.get("rsa_order", ""),
                                 bank.provenance["images"].get("description", "the instructor's images"))]
        stand_in = stand_in_selection(settings)
        if stand_in["manifest_sha256"] != selections[0]["manifest_sha256"]:
            selections.append(stand_in)
    subsample = {"rsa_units": RSA_UNITS, "pca_units": PCA_UNITS, "pca_layers": list(PCA_LAYERS),
                 "pixel_step": PIXEL_STEP,
                 "about": "bank cases use a subsample of the bank: RSA inputs cropped to at most rsa_units units "
                          "per image, PCA on pca_units units of pca_layers, images every pixel_step-th pixel (the "
                          "public set: centre crops, the first units, pixels from (0, 0); a hidden set: drawn)"}
    extra = {"subsample": subsample, "case_set": case_set.name, "case_set_id": case_set.fingerprint,
             "stand_in": stand_in_notice(provenance)}
    return write_fixtures(out_dir, cases, provenance=provenance, selections=selections, extra=extra)


def stand_in_notice(provenance: dict) -> dict:
    """What of the fixtures' data is a stand-in: {"weights": bool, "images": bool, "about": text} ("" when none)."""
    weights, images = provenance.get("weights", {}), provenance.get("images", {})
    parts = []
    if weights.get("kind") != "pretrained":
        parts.append(f"the network is not the pretrained AlexNet ({weights.get('description') or 'random weights'})")
    if images.get("source") != "imagenette":
        parts.append(f"the images are not the lesson's Imagenette images ({images.get('description') or 'stand-ins'})")
    return {"weights": weights.get("kind") != "pretrained", "images": images.get("source") != "imagenette",
            "about": "; ".join(parts)}
