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
        if isinstance(path, tuple):  # (source, name inside the submission)
            (root / "submission" / path[1]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path[0], root / "submission" / path[1])
        else:
            shutil.copy(path, root / "submission" / path.name)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env=clean_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=str(python), **(env or {})))
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert TOP_KEYS <= set(results) and isinstance(results["score"], (int, float))
    graded = [test for test in results["tests"] if not test["name"].startswith("Reflections")]
    assert all(TEST_KEYS <= set(test) and test["status"] in ("passed", "failed") for test in graded)
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
    assert results["score"] == 15 and len(results["tests"]) == 9  # 8 exercises and the reflections
    assert all(test["status"] == "passed" for test in results["tests"][:8])
    assert results["visibility"] == "visible" and all(test["visibility"] == "visible" for test in results["tests"])
    results, _ = _autograder(archive, tmp_path / "b", sorted((SUBMISSIONS / "wrong" / "pca_not_centred").glob("*.py")),
                             python)
    statuses = {test["name"]: test.get("status") for test in results["tests"]}
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


def test_visibility_reflections_and_misplaced_work(fixtures_dir, tmp_path, python, stand_in_env):
    """The instructor's visibility; reflections as a part graded by hand; work in Exercises/ and `rsa (1).py`."""
    from classroom_helpers import run_grader_command

    archive = tmp_path / "after-due.zip"
    done = run_grader_command("gradescope", archive, "--fixtures", fixtures_dir, "--visibility", "after_due_date",
                              env=stand_in_env)
    assert done.returncode == 0, done.stderr
    reflections = tmp_path / "reflections.md"
    reflections.write_text("# Reflections\n\n## R3. Why?\n\nCorrelation ignores gain and baseline.\n")
    files = [(path, f"Exercises/{'rsa (1).py' if path.name == 'rsa.py' else path.name}") for path in CORRECT_FILES()]
    results, _ = _autograder(archive, tmp_path / "a", files + [(reflections, "reflections.md")], python)
    assert results["score"] == 15 and results["visibility"] == "after_due_date"
    assert {test["visibility"] for test in results["tests"]} == {"after_due_date"}
    assert "Note: graded Exercises/rsa (1).py as exercises/rsa.py" in results["output"]
    manual = results["tests"][-1]
    assert manual["name"].startswith("Reflections (graded by hand") and manual["max_score"] == 0
    assert "R3. Why compare images" in manual["output"] and "ignores gain and baseline" in manual["output"]
    assert "R1. Before any analysis" in manual["output"] and "(no answer)" in manual["output"]
    notebook = tmp_path / "lesson.ipynb"
    notebook.write_text("{}")
    results, _ = _autograder(archive, tmp_path / "b", [notebook], python)
    assert results["score"] == 0 and "only notebooks found (lesson.ipynb)" in results["output"]
    assert results["visibility"] == "after_due_date"
