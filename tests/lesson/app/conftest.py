"""Fixtures for the app's tests: stand-in settings through the environment, clean Streamlit caches, submissions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_helpers import MODULES, PROJECT_ROOT


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    """AppTest instances in one process share Streamlit's caches: start and end every test with empty ones."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def exercises_dir(tmp_path) -> Path:
    """A fresh copy of the exercise stubs (nothing attempted yet)."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    for module in MODULES:
        shutil.copy(PROJECT_ROOT / "exercises" / f"{module}.py", folder / f"{module}.py")
    return folder


@pytest.fixture
def app_env(monkeypatch, stand_in_env, bank, exercises_dir, tmp_path) -> dict[str, str]:
    """The stand-in data (bank already built), this test's exercise folder and reflections file."""
    env = {**stand_in_env, "LESSON_EXERCISES_DIR": str(exercises_dir),
           "LESSON_REFLECTIONS": str(tmp_path / "reflections.md")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
