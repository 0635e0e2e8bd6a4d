"""Leftovers of killed downloads, builds and grader runs are removed at the next start; what may still be in
use (a running owner, a recent change, a process working inside) is kept."""

import os
import subprocess
import sys
import time

from lesson.config import Settings
from lesson.data.leftovers import remove_leftovers
from lesson.data.prepare import prepare_bank

DEAD_PID = 4_194_304 + 12345  # above Linux's largest pid: never running


def _aged(path, hours=2.0):
    when = time.time() - hours * 3600
    for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
        os.utime(item, (when, when), follow_symlinks=False)
    return path


def _folder(path):
    path.mkdir(parents=True)
    (path / "data.npy").write_bytes(b"\0" * 1000)
    return path


def test_dead_owners_old_files_are_removed_and_the_rest_kept(tmp_path):
    cache, temp = tmp_path / "cache", tmp_path / "tmp"
    (cache / "banks").mkdir(parents=True)
    temp.mkdir()
    part = cache / f".imagenette2-160.tgz.{DEAD_PID}.part"
    part.write_bytes(b"half")
    _aged(part)
    partial = _aged(_folder(cache / "banks" / f".0123abcd.{DEAD_PID}.partial"))
    grader_old = _aged(_folder(temp / "grader-inputs-k2j3h4"))  # no pid in the name: the age decides
    grader_dead = _aged(_folder(temp / f"grader-{DEAD_PID}-abc"))
    kept = [
        _folder(cache / "banks" / f".fedc9876.{DEAD_PID}.partial"),  # changed just now
        _aged(_folder(cache / "banks" / f".aaaa.{os.getpid()}.partial")),  # its owner is running
        _aged(_folder(temp / f"grader-inputs-{os.getpid()}-xyz")),  # its owner is running
        _aged(_folder(cache / "banks" / "0123abcd")),  # a bank, not a leftover
        _aged(_folder(temp / "other-program-folder")),
    ]
    removed = remove_leftovers(cache, temp_dir=temp)
    assert set(removed) == {part, partial, grader_old, grader_dead}
    assert all(not path.exists() for path in removed) and all(path.exists() for path in kept)


def test_a_grader_folder_a_process_works_in_is_kept(tmp_path):
    temp = tmp_path / "tmp"
    workdir = _folder(temp / "grader-q1w2e3")
    (workdir / "cwd").mkdir()
    _aged(workdir)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=workdir / "cwd")
    try:
        assert remove_leftovers(tmp_path / "cache", temp_dir=temp) == []
        assert workdir.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert remove_leftovers(tmp_path / "cache", temp_dir=temp) == [workdir]


def test_prepare_removes_a_killed_builds_staging_folder(tmp_path):
    cache = tmp_path / "cache"
    partial = _aged(_folder(cache / "banks" / f".0123abcd.{DEAD_PID}.partial"))
    part = cache / f".imagenette2-160.tgz.{DEAD_PID}.part"
    part.write_bytes(b"x" * 100)
    _aged(part)
    prepare_bank(Settings(cache_dir=cache, images="synthetic", weights="random", offline=True, images_per_class=2),
                 build=False)
    assert not partial.exists() and not part.exists()
