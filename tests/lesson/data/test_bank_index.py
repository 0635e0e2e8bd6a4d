"""A warm start finds its bank by a cheap fingerprint of the request, and only while nothing on disk changed."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import lesson.data.bank_index
import lesson.data.prepare
from lesson.config import Settings
from lesson.data.bank_index import recall, remember, request_fingerprint
from lesson.data.errors import SourceUnavailable
from lesson.data.prepare import prepare_bank


def test_the_same_request_is_answered_without_reading_the_images(bank, stand_in_settings, monkeypatch):
    first, first_sources = prepare_bank(stand_in_settings)  # remembers the answer (if the fixture did not already)

    def no_slow_path(*args, **kwargs):
        raise AssertionError("resolved the sources (decoded every image) for a request answered before")

    monkeypatch.setattr(lesson.data.prepare, "resolve_sources", no_slow_path)
    again, sources = prepare_bank(stand_in_settings)
    assert again.key == first.key == bank.key
    assert sources.notices == first_sources.notices
    assert sources.images.manifest_sha256 == bank.provenance["images"]["manifest_sha256"]
    assert sources.images.n_images == 400 and sources.weights.kind == "random"
    np.testing.assert_array_equal(sources.images.display[:2], first_sources.images.display[:2])


def _folder(root: Path) -> Path:
    for name, colour in (("reds", (200, 30, 30)), ("blues", (30, 30, 200))):
        (root / name).mkdir(parents=True)
        for index in range(3):
            Image.new("RGB", (40, 30), tuple(value + 10 * index for value in colour)).save(root / name / f"{index}.png")
    return root


def test_the_fingerprint_changes_with_any_image_file(tmp_path):
    folder = _folder(tmp_path / "images")
    settings = Settings(cache_dir=tmp_path / "cache", images=str(folder), weights="random", offline=True)
    seen = {request_fingerprint(settings)}
    assert request_fingerprint(settings) in seen  # stable
    changes = [
        lambda: Image.new("RGB", (40, 30), (0, 200, 0)).save(folder / "reds" / "1.png"),  # new content
        lambda: os.utime(folder / "blues" / "0.png", ns=(1, 1)),  # only touched
        lambda: Image.new("RGB", (40, 30)).save(folder / "blues" / "3.png"),  # one more image
        lambda: (folder / "reds" / "2.png").unlink(),  # one fewer
    ]
    for change in changes:
        change()
        fingerprint = request_fingerprint(settings)
        assert fingerprint not in seen
        seen.add(fingerprint)
    for other in (settings.with_(images_per_class=2), settings.with_(random_seed=1), settings.with_(pca_units=500)):
        assert request_fingerprint(other) not in seen


def test_requests_that_could_download_have_no_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # no pretrained file there
    online = Settings(cache_dir=tmp_path / "cache", images="synthetic", weights="pretrained", offline=False)
    assert request_fingerprint(online) is None
    assert request_fingerprint(online.with_(offline=True)) is not None  # offline: the stand-in, for sure
    assert request_fingerprint(online.with_(weights="random", images="imagenette")) is None
    assert request_fingerprint(online.with_(weights=str(tmp_path / "missing.pth"))) is None


def test_a_remembered_bank_that_was_deleted_is_not_used(tmp_path):
    settings = Settings(cache_dir=tmp_path, images="synthetic", weights="random", offline=True)
    remember(settings, "f" * 64, "no-such-bank", ["a notice"])
    assert recall(settings, "f" * 64) is None
    (tmp_path / "banks" / "a-bank").mkdir(parents=True)
    (tmp_path / "banks" / "a-bank" / "provenance.json").write_text("{}")
    remember(settings, "e" * 64, "a-bank", ["a notice"])
    assert recall(settings, "e" * 64) == {"key": "a-bank", "notices": ["a notice"]}


def test_requirements_always_take_the_slow_path(stand_in_settings, monkeypatch):
    def no_quick_path(settings):
        raise AssertionError("a required source was not checked")

    monkeypatch.setattr(lesson.data.bank_index, "request_fingerprint", no_quick_path)
    with pytest.raises(SourceUnavailable, match="pretrained weights were required"):
        prepare_bank(stand_in_settings, require_pretrained=True)
