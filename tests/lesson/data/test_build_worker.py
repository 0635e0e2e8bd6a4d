"""The app builds a missing bank in a separate process: progress comes back, errors come back as messages."""

import pytest

from lesson.config import Settings
from lesson.data.bank import load_bank
from lesson.data.build_worker import build_in_subprocess, settings_from_json, settings_to_json
from lesson.data.errors import SourceUnavailable


def test_settings_survive_the_trip_to_the_worker(tmp_path):
    settings = Settings(cache_dir=tmp_path / "cache", images=str(tmp_path / "images"), weights="random",
                        offline=True, images_per_class=7, pca_images_per_class=7, stored_units=1000,
                        random_seed=3)
    assert settings_from_json(settings_to_json(settings)) == settings


def test_a_bank_is_built_in_another_process_with_progress(tmp_path):
    settings = Settings(cache_dir=tmp_path, images="synthetic", weights="random", offline=True,
                        images_per_class=10, pca_images_per_class=10, stored_units=1000)
    progress, downloads = [], []
    key, notices = build_in_subprocess(settings, lambda text, fraction: progress.append((text, fraction)),
                                       lambda done, total: downloads.append(done))
    bank = load_bank(tmp_path / "banks" / key)
    assert bank.provenance["images"]["n_images"] == 40 and notices == ()
    assert any("Running AlexNet" in text for text, _ in progress)
    fractions = [fraction for _, fraction in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_unavailable_data_comes_back_as_the_workers_message(tmp_path):
    settings = Settings(cache_dir=tmp_path, images=str(tmp_path / "no-such-folder"), weights="random", offline=True)
    with pytest.raises(SourceUnavailable, match="no-such-folder"):
        build_in_subprocess(settings, lambda *args: None, lambda *args: None)
