"""Shared fixtures: an offline stand-in activation bank built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def lesson_cache(tmp_path_factory) -> Path:
    """The cache directory the tests use; LESSON_TEST_CACHE_DIR keeps it between runs while developing."""
    kept = os.environ.get("LESSON_TEST_CACHE_DIR")
    return Path(kept) if kept else tmp_path_factory.mktemp("lesson-cache")


@pytest.fixture(scope="session")
def stand_in_settings(lesson_cache):
    """Settings for offline stand-ins: synthetic images, random weights, the test cache."""
    from lesson.config import Settings

    return Settings(cache_dir=lesson_cache, images="synthetic", weights="random", offline=True)


@pytest.fixture(scope="session")
def stand_in_env(lesson_cache) -> dict[str, str]:
    """Environment variables selecting the same stand-ins, for subprocesses and the app."""
    return {"LESSON_CACHE_DIR": str(lesson_cache), "LESSON_IMAGES": "synthetic", "LESSON_WEIGHTS": "random",
            "LESSON_OFFLINE": "1"}


@pytest.fixture(scope="session")
def bank(stand_in_settings):
    """The stand-in activation bank (160 synthetic images, random AlexNet), built once per session."""
    from lesson.data.prepare import prepare_bank

    built, _ = prepare_bank(stand_in_settings)
    return built
