"""A damaged activation bank or grader cache is detected when opened, moved aside and rebuilt with a notice;
a failed build leaves no staging folder behind."""

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lesson.config import Settings
from lesson.data.bank import BankDamaged, load_bank
from lesson.data.bank_check import STAMP
from lesson.data.prepare import prepare_bank


def _settings(cache: Path) -> Settings:
    return Settings(cache_dir=cache, images="synthetic", weights="random", offline=True, images_per_class=4)


@pytest.fixture(scope="module")
def small_cache(tmp_path_factory) -> Path:
    """A cache holding one small bank (16 synthetic images, random AlexNet), built once for this module."""
    cache = tmp_path_factory.mktemp("small-cache")
    prepare_bank(_settings(cache))
    return cache


@pytest.fixture
def cache(small_cache, tmp_path) -> Path:
    copy = tmp_path / "cache"
    shutil.copytree(small_cache, copy)
    return copy


def _bank_dir(cache: Path) -> Path:
    (path,) = [path for path in (cache / "banks").iterdir() if not path.name.startswith(".")]
    return path


def _leftovers(cache: Path) -> list[Path]:
    return [path for path in cache.rglob("*") if path.name.endswith((".partial", ".part"))]


def test_a_bank_records_shape_size_and_checksum_of_every_array(cache):
    folder = _bank_dir(cache)
    records = json.loads((folder / "provenance.json").read_text())["arrays"]
    on_disk = {path.relative_to(folder).as_posix() for path in folder.rglob("*.npy")}
    assert set(records) == on_disk and len(on_disk) == 6 + 2 * 21  # 6 whole-bank arrays (with the top-5), 2 per layer
    for name, record in records.items():
        array = np.load(folder / name, mmap_mode="r")
        assert tuple(record["shape"]) == array.shape and record["bytes"] == (folder / name).stat().st_size
        assert len(record["blake2b"]) == 32
    assert (folder / STAMP).is_file()
    load_bank(folder)  # verifies


def _truncate(folder: Path) -> str:
    path = folder / "rsa" / "features.0.npy"
    path.write_bytes(path.read_bytes()[:-4096])
    return "truncated"


def _garbage_inside(folder: Path) -> str:
    path = folder / "rsa" / "features.3.npy"
    with open(path, "r+b") as handle:  # 20 KB of garbage in the middle: the size stays right
        handle.seek(path.stat().st_size // 2)
        handle.write(np.random.default_rng(0).bytes(20_000))
    return "checksum"


def _no_provenance(folder: Path) -> str:
    (folder / "provenance.json").unlink()
    return "provenance.json is missing"


def _bad_provenance(folder: Path) -> str:
    (folder / "provenance.json").write_text('{"format": 2, "key": ')
    return "cannot be read"


def _missing_array(folder: Path) -> str:
    (folder / "pca" / "classifier.6.npy").unlink()
    return "missing"


def _wrong_shape(folder: Path) -> str:
    path = folder / "labels.npy"
    np.save(path, np.zeros(3, dtype=np.int64))
    return "labels.npy"


DAMAGE = [_truncate, _garbage_inside, _no_provenance, _bad_provenance, _missing_array, _wrong_shape]


@pytest.mark.parametrize("damage", DAMAGE, ids=[damage.__name__.strip("_") for damage in DAMAGE])
def test_damage_is_detected_when_the_bank_is_opened(cache, damage):
    folder = _bank_dir(cache)
    want = damage(folder)
    with pytest.raises(BankDamaged, match=want):
        load_bank(folder)


@pytest.mark.parametrize("damage", [_truncate, _garbage_inside, _no_provenance],
                         ids=["truncated", "garbage", "no provenance"])
def test_prepare_moves_a_damaged_bank_aside_and_builds_it_again(cache, damage):
    folder = _bank_dir(cache)
    original = np.load(folder / "pca" / "features.0.npy")
    damage(folder)
    bank, sources = prepare_bank(_settings(cache))
    assert bank.path == folder
    notice = " ".join(sources.notices)
    assert "damaged" in notice and f".{folder.name}.damaged" in notice and "built again" in notice
    assert (cache / "banks" / f".{folder.name}.damaged").is_dir()
    np.testing.assert_array_equal(bank.pca_activations("features.0", 3000), original)  # deterministic rebuild
    load_bank(folder)
    _, again = prepare_bank(_settings(cache))
    assert not any("damaged" in text for text in again.notices)  # said once
    assert _leftovers(cache) == []


def test_a_failed_build_removes_its_staging_folder(cache, monkeypatch):
    import lesson.data.network

    shutil.rmtree(_bank_dir(cache))

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure in the forward pass")

    monkeypatch.setattr(lesson.data.network, "stream_layer_outputs", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        prepare_bank(_settings(cache))
    assert _leftovers(cache) == [] and list((cache / "banks").iterdir()) == []


def test_a_half_written_grader_cache_is_moved_aside_and_computed_again(cache, capsys):
    from grader.cases.case_sources import _BankReferences

    bank = load_bank(_bank_dir(cache))
    calls = []

    def solve(name, activations):
        calls.append(name)
        values = np.asarray(activations, dtype=np.float64).reshape(len(activations), -1)[:, :3]
        return values @ values.T if name == "get_similarity_matrix" else (values, values[0], values[:, 0])

    first = _BankReferences(bank, solve)
    expected = first.first_order()
    path = first._cache_path()
    assert zipfile.is_zipfile(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # killed while writing (before the atomic write)
    calls.clear()
    again = _BankReferences(bank, solve)
    got = again.first_order()
    assert calls and set(got) == set(expected)
    for layer in expected:
        np.testing.assert_array_equal(got[layer], expected[layer])
    assert path.with_name(path.name + ".damaged").is_file() and zipfile.is_zipfile(path)
    assert "damaged" in capsys.readouterr().err
    calls.clear()
    _BankReferences(bank, solve).first_order()
    assert calls == []  # the repaired cache is used


def test_a_read_only_cache_still_serves_its_bank_and_refuses_to_build(cache, tmp_path, monkeypatch):
    import lesson.data.prepare
    from lesson.data.errors import CacheDirUnusable

    def read_only(*args, **kwargs):  # what a folder without write permission gives (root ignores chmod)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(lesson.data.prepare.tempfile, "TemporaryFile", read_only)
    bank, _ = prepare_bank(_settings(cache))
    assert bank.path == _bank_dir(cache)
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    with pytest.raises(CacheDirUnusable, match="cannot be created or written \\(Permission denied\\)"):
        prepare_bank(_settings(empty))
