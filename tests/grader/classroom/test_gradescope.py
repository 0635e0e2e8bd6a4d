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
def hidden_key(tmp_path_factory):
    key = tmp_path_factory.mktemp("key") / "hidden-key"
    key.write_bytes(b"a Gradescope test key of 32 byte")
    return key


@pytest.fixture(scope="module")
def hidden_fixtures(bank, stand_in_settings, tmp_path_factory, hidden_key):
    from grader.cases.case_sets import load_hidden_key
    from grader.classroom.build import build_fixtures

    folder = tmp_path_factory.mktemp("hidden-fixtures")
    build_fixtures(bank, folder, settings=stand_in_settings, case_set=load_hidden_key(hidden_key))
    return folder


@pytest.fixture(scope="module")
def archive(tmp_path_factory, hidden_fixtures, stand_in_env):
    return build_with_grader("gradescope", tmp_path_factory.mktemp("gradescope") / "autograder.zip", hidden_fixtures,
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
            "grader/fixtures/fixtures.npz", "lesson/reflections.py", "autograder.json"} <= names
    assert not any(name.startswith(("solutions/", "tests/")) for name in names)
    assert "grader/judging/formulations.py" not in names and "grader/judging/hints.py" in names
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


def test_visibility_reflections_and_misplaced_work(hidden_fixtures, tmp_path, python, stand_in_env):
    """The instructor's visibility; reflections as a part graded by hand; work in Exercises/ and `rsa (1).py`."""
    from classroom_helpers import run_grader_command

    archive = tmp_path / "after-due.zip"
    done = run_grader_command("gradescope", archive, "--fixtures", hidden_fixtures, "--visibility", "after_due_date",
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


def test_the_archive_carries_hidden_fixtures_and_records_the_stand_ins(archive, hidden_fixtures):
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("grader/fixtures/manifest.json"))
        record = json.loads(opened.read("autograder.json"))
    assert manifest["case_set"] == "hidden" and manifest["case_set_id"].startswith("hidden:")
    assert all(case["hidden"] for cases in manifest["exercises"].values() for case in cases)
    assert record["case_set_id"] == manifest["case_set_id"] and record["fixtures_sha256"] == manifest["sha256"]
    assert record["stand_in"]["weights"] and record["stand_in"]["images"] and "pretrained" in record["stand_in"]["about"]


def test_gradescope_prints_a_stand_in_warning_and_refuses_public_fixtures(tmp_path, hidden_fixtures, fixtures_dir,
                                                                          stand_in_env):
    from classroom_helpers import run_grader_command

    done = run_grader_command("gradescope", tmp_path / "a.zip", "--fixtures", hidden_fixtures, env=stand_in_env)
    assert done.returncode == 0, done.stderr
    assert "WARNING" in done.stderr and "STAND-IN" in done.stderr and "not the pretrained AlexNet" in done.stderr
    done = run_grader_command("gradescope", tmp_path / "b.zip", "--fixtures", hidden_fixtures, "--require-pretrained",
                              env=stand_in_env)
    assert done.returncode == 2 and "--require-pretrained" in done.stderr
    done = run_grader_command("gradescope", tmp_path / "c.zip", "--fixtures", fixtures_dir, env=stand_in_env)
    assert done.returncode == 2 and "public cases" in done.stderr and not (tmp_path / "c.zip").exists()


def test_the_hints_work_in_the_archive_without_formulations(archive, tmp_path, python):
    """A wrong submission graded by the archive (no formulations.py) still gets its known mistake's hint."""
    results, _ = _autograder(archive, tmp_path / "w", sorted((SUBMISSIONS / "wrong" / "similarity_cosine").glob("*.py")),
                             python)
    test = next(test for test in results["tests"] if test["name"] == "get_similarity_matrix")
    assert test["status"] == "failed" and "cosine similarity" in test["output"]
