"""`python -m grader gradescope OUT.zip`: the archive's layout, and run_autograder's results.json (also on a crash)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile

import pytest
from classroom_helpers import build_with_grader, clean_env
from grader_helpers import SUBMISSIONS

TOP_KEYS = {"score", "execution_time", "output", "visibility", "tests"}
TEST_KEYS = {"score", "max_score", "status", "name", "output", "visibility"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory, fixtures_dir, stand_in_env):
    return build_with_grader("gradescope", tmp_path_factory.mktemp("gradescope") / "autograder.zip", fixtures_dir,
                             stand_in_env)


def _autograder(archive, tmp_path, files, python, env=None):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(root / "source")
    for member in ("run_autograder", "setup.sh"):
        os.chmod(root / "source" / member, 0o755)
    (root / "submission").mkdir()
    for path in files:
        shutil.copy(path, root / "submission" / path.name)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env=clean_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=str(python), **(env or {})))
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert TOP_KEYS <= set(results) and isinstance(results["score"], (int, float))
    assert all(TEST_KEYS <= set(test) and test["status"] in ("passed", "failed") for test in results["tests"])
    return results, root


def test_archive_layout(archive):
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in opened.infolist()}
        setup = opened.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "grader/__main__.py", "grader/fixtures/manifest.json",
            "grader/fixtures/fixtures.npz", "lesson/reflections.py"} <= names
    assert not any(name.startswith(("solutions/", "tests/")) for name in names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert '"numpy>=1.24" "scipy>=1.10"' in setup and "pip install torch" not in setup


def test_correct_and_wrong_submissions(archive, tmp_path, python):
    results, _ = _autograder(archive, tmp_path / "a", sorted((SUBMISSIONS / "correct" / "float32_inside").glob("*.py")),
                             python)
    assert results["score"] == 15 and len(results["tests"]) == 8
    assert all(test["status"] == "passed" for test in results["tests"])
    results, _ = _autograder(archive, tmp_path / "b", sorted((SUBMISSIONS / "wrong" / "pca_not_centred").glob("*.py")),
                             python)
    statuses = {test["name"]: test["status"] for test in results["tests"]}
    assert statuses["PCA"] == "failed" and results["score"] < 15


def test_results_json_even_when_grading_crashes(archive, tmp_path, python):
    results, _ = _autograder(archive, tmp_path / "a", [], "/bin/false")  # no Python at all
    assert results["score"] == 0 and results["tests"] == [] and "could not run" in results["output"]
    results, _ = _autograder(archive, tmp_path / "b", sorted(CORRECT_FILES()), python,
                             env={"AUTOGRADER_TIME_LIMIT": "not-a-number"})
    assert results["score"] == 0 and results["tests"] == []


def CORRECT_FILES():  # noqa: N802
    return (SUBMISSIONS / "correct" / "float32_inside").glob("*.py")


def test_tampered_fixtures_in_the_archive(archive, tmp_path, python):
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("fixtures.npz"):
                data = data[:-10] + b"0123456789"
            target.writestr(info, data)
    results, _ = _autograder(tampered, tmp_path / "t", sorted(CORRECT_FILES()), python)
    assert results["score"] == 0 and "changed or damaged" in results["output"]
