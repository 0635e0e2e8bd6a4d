"""`python -m grader batch` and `instructor`: many students at once, none able to stop the others or fake a grade."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from classroom_helpers import run_grader_command as _grader
from grader_helpers import SUBMISSIONS

CORRECT = SUBMISSIONS / "correct" / "float32_inside"


def _student(root, name, source, repo=False):
    folder = root / name / ("exercises" if repo else "")
    folder.mkdir(parents=True)
    for path in source.glob("*.py"):
        shutil.copy(path, folder / path.name)
    return root / name


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    root = tmp_path_factory.mktemp("submissions")
    repo = _student(root, "alice", CORRECT, repo=True)  # a student repository, with a tampered grader
    (repo / "reflections.md").write_text("## R1\nBecause the early layers see colour.\n\n## R2\n\n")
    (repo / "grader").mkdir()
    (repo / "grader" / "__init__.py").write_text("raise SystemExit('a tampered grader must never run')\n")
    _student(root, "bob", SUBMISSIONS / "wrong" / "pca_not_centred")
    _student(root, "carol", SUBMISSIONS / "hostile" / "infinite_loop")
    _student(root, "dave", SUBMISSIONS / "hostile" / "os_exit_in_function")
    _student(root, "=erin", SUBMISSIONS / "hostile" / "rigged_eq")
    (root / "empty").mkdir()
    return root


def test_batch_gradebook(classroom, fixtures_dir, tmp_path, stand_in_env):
    out = tmp_path / "grades"
    done = _grader("batch", classroom, "--out", out, "--jobs", "2", "--time-limit", "3", "--fixtures", fixtures_dir,
                   env=stand_in_env)
    assert done.returncode == 0, done.stderr
    assert "Graded 6 of 6 submissions" in done.stdout
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"alice", "bob", "carol", "dave", "'=erin", "empty"}  # no spreadsheet formula
    assert all(row["status"] == "graded" for row in rows.values())
    assert float(rows["alice"]["total"]) == float(rows["alice"]["max_score"]) == 15
    assert rows["alice"]["reflections_answered"] == "1" and len(rows["alice"]["sha256 reflections.md"]) == 64
    assert len(rows["alice"]["sha256 rsa.py"]) == 64 and rows["bob"]["sha256 rsa.py"] == ""
    assert float(rows["bob"]["PCA"]) < 3 and rows["bob"]["redness"] == "0.0"
    assert float(rows["carol"]["redness"]) == 0 and float(rows["carol"]["pick_redness_extrema"]) == 2  # hung, then went on
    assert float(rows["dave"]["total"]) < 15 and float(rows["empty"]["total"]) == 0
    assert float(rows["'=erin"]["get_similarity_matrix"]) == 0
    reports = {student: json.loads((out / student / "report.json").read_text())
               for student in ("alice", "bob", "carol", "dave", "=erin", "empty")}
    assert reports["carol"]["exercises"][6]["status"] == "timeout"
    assert reports["alice"]["provenance"]["fixtures"]["sha256"]


def test_instructor_run_ignores_the_students_grader(classroom, fixtures_dir, tmp_path, stand_in_env):
    out = tmp_path / "alice"
    done = _grader("instructor", classroom / "alice", "--out", out, "--fixtures", fixtures_dir, env=stand_in_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "instructor run" in done.stdout and "Score: 15 / 15" in done.stdout
    report = json.loads((out / "report.json").read_text())
    assert report["score"] == 15 and report["reflections"]["R1"] and not report["reflections"]["R2"]
    assert (out / "junit.xml").is_file()
    done = _grader("instructor", classroom / "bob", "--fixtures", fixtures_dir, env=stand_in_env)
    assert done.returncode == 1
