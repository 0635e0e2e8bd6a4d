"""Bad data in the app: a damaged bank is rebuilt with a notice, an unusable LESSON_CACHE_DIR falls back to a
temporary folder with a notice; never a traceback."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from app_helpers import open_app

pytestmark = pytest.mark.usefixtures("app_env")


def _shown(app) -> str:
    return " ".join(str(element.value) for element in app.markdown)


def test_a_damaged_bank_is_rebuilt_with_a_notice(tmp_path, monkeypatch, bank):
    cache = tmp_path / "cache"
    folder = cache / "banks" / bank.path.name
    shutil.copytree(bank.path, folder)
    array = folder / "rsa" / "features.0.npy"
    array.write_bytes(array.read_bytes()[:-4096])  # truncated: once "ready", then "mmap length is greater ..."
    monkeypatch.setenv("LESSON_CACHE_DIR", str(cache))
    app = open_app(timeout=300)
    assert not app.exception and not app.error
    assert "activation bank was damaged" in _shown(app) and "built again" in _shown(app)
    assert (cache / "banks" / f".{folder.name}.damaged").is_dir() and array.stat().st_size > 0
    assert not [path for path in cache.rglob("*") if path.name.endswith((".partial", ".part"))]


def test_a_cache_dir_that_is_a_file_falls_back_to_a_temporary_folder(tmp_path, monkeypatch, bank):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    stand_in = tmp_path / "tmp" / f"alexnet-lesson-cache-{os.getuid()}"
    shutil.copytree(bank.path, stand_in / "banks" / bank.path.name)  # the stand-in cache already holds the bank
    (tmp_path / "not-a-folder").write_text("a file")
    monkeypatch.setenv("LESSON_CACHE_DIR", str(tmp_path / "not-a-folder"))
    app = open_app()
    assert not app.exception and not app.error
    shown = _shown(app)
    assert "is a file, not a folder" in shown and str(stand_in) in shown
