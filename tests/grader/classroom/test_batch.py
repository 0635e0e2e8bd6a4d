"""`python -m grader batch` and `instructor`: many students at once, none able to stop the others or fake a grade."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from classroom_helpers import clean_env, copy_exercise_files
from classroom_helpers import run_grader_command as _grader
from grader_helpers import PROJECT_ROOT, SUBMISSIONS

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
    done = _grader("batch", classroom, "--out", out, "--jobs", "2", "--time-limit", "15", "--fixtures", fixtures_dir,
                   env=stand_in_env)
    assert done.returncode == 0, done.stderr
    assert "Graded 5 of 6 submissions" in done.stdout and "Not graded (nothing gradable found" in done.stdout
    assert "of 6 graded, about" in done.stderr  # progress with an estimate of the time left
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"alice", "bob", "carol", "dave", "'=erin", "empty"}  # no spreadsheet formula
    assert all(row["status"] == "graded" for name, row in rows.items() if name != "empty")
    assert rows["empty"]["status"].startswith("not graded: no exercise file found in empty/; expected exercises/rsa.py")
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
    feedback = (out / "alice" / "feedback.md").read_text()
    assert feedback.startswith("# Feedback: alice\n\n**Score: 15 / 15**") and "PASS   PCA" in feedback
    assert "Reflections answered: 1 of 10 (R1)" in feedback
    assert "TIME" in (out / "carol" / "feedback.md").read_text()


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


STUBS = PROJECT_ROOT / "exercises"


def test_misplaced_work_is_graded_with_notes_and_the_output_folder_is_never_a_student(fixtures_dir, tmp_path,
                                                                                      stand_in_env):
    root = tmp_path / "submissions"
    copy_exercise_files(CORRECT, root / "upper" / "Exercises")
    copy_exercise_files(STUBS, root / "rootfiles" / "exercises")
    copy_exercise_files(CORRECT, root / "rootfiles")
    copy_exercise_files(CORRECT, root / "zipped" / "lesson-zipped-main" / "exercises")
    copy_exercise_files(CORRECT, root / "renamed" / "exercises", rename={"rsa.py": "rsa (1).py"})
    (root / "notebook").mkdir()
    (root / "notebook" / "lesson.ipynb").write_text('{"cells": []}')
    copy_exercise_files(CORRECT, root / "linked" / "exercises")
    (root / "linked" / "exercises" / "rsa.py").unlink()
    (root / "linked" / "exercises" / "rsa.py").symlink_to(CORRECT / "rsa.py")
    out = root / "grades"  # inside the submissions folder
    for _ in range(2):
        done = _grader("batch", root, "--out", out, "--jobs", "2", "--time-limit", "40", "--fixtures", fixtures_dir,
                       env=stand_in_env)
        assert done.returncode == 0, done.stderr
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"upper", "rootfiles", "zipped", "renamed", "notebook", "linked"}
    for name, note in (("upper", "graded Exercises/rsa.py"), ("rootfiles", "exercises/rsa.py is still the unchanged stub"),
                       ("zipped", "nested folder lesson-zipped-main/"), ("renamed", "graded exercises/rsa (1).py")):
        assert rows[name]["status"] == "graded" and float(rows[name]["total"]) == 15, (name, rows[name])
        assert note in rows[name]["notes"]
    assert rows["notebook"]["status"].startswith("not graded: only notebooks found (lesson.ipynb)")
    assert "exercises/rsa.py skipped: a symbolic link" in rows["linked"]["notes"]
    assert float(rows["linked"]["get_similarity_matrix"]) == 0 and float(rows["linked"]["PCA"]) > 0
    assert "Note: graded Exercises/rsa.py" in (out / "upper" / "feedback.md").read_text()


def test_deadline_cap_roster_and_resume(fixtures_dir, tmp_path, stand_in_env):
    from test_provenance import git_commit

    root = tmp_path / "submissions"
    correct = {f"exercises/{path.name}": path.read_text() for path in CORRECT.glob("*.py")}
    git_commit(root / "lesson-alice", correct, "2026-11-30T12:00:00+00:00")
    wrong = (SUBMISSIONS / "wrong" / "pca_not_centred" / "pca.py").read_text()
    git_commit(root / "lesson-alice", {"exercises/pca.py": wrong}, "2026-12-02T12:00:00+00:00")
    _student(root, "lesson-carol", SUBMISSIONS / "hostile" / "infinite_loop", repo=True)
    _student(root, "lesson-zed", CORRECT, repo=True)
    roster = tmp_path / "classroom_roster.csv"
    roster.write_text('"identifier","github_username","github_id","name"\n"a@u.edu","alice","1","Alice A"\n'
                      '"c@u.edu","carol","2","Carol C"\n"d@u.edu","dan","3","Dan D"\n')
    out = tmp_path / "grades"
    common = ("--out", out, "--jobs", "3", "--time-limit", "60", "--fixtures", fixtures_dir, "--roster", roster,
              "--deadline", "2026-12-01T23:59Z")
    done = _grader("batch", root, *common, "--submission-time-limit", "40", env=stand_in_env)
    assert done.returncode == 1, done.stdout + done.stderr  # carol could not be graded
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["student"] or row["name"]: row for row in csv.DictReader(handle)}
    alice = rows["lesson-alice"]
    assert alice["name"] == "Alice A" and float(alice["total"]) == 15  # the commit before the deadline
    assert alice["late_commits"] == "1" and len(alice["commit"]) == 40 and alice["commit_time"].startswith("2026-11-30")
    # carol's redness loops (a 60 s limit per exercise): stopped at the cap, with every process her grading started
    assert rows["lesson-carol"]["status"].startswith("could not grade: over the time cap of 40 s per submission")
    assert float(rows["lesson-carol"]["seconds"]) < 55
    assert rows["lesson-zed"]["name"] == "(not in the roster)" and "graded as found" in rows["lesson-zed"]["notes"]
    assert rows["Dan D"]["status"].startswith("no submission")
    assert "unmatched folder lesson-zed" in done.stdout and "unmatched student Dan D" in done.stdout
    canvas = (out / "canvas_grades.csv").read_text()
    assert "Alice A" in canvas and "Carol C" not in canvas  # could not grade: not exported

    shutil.rmtree(root / "lesson-carol")
    done = _grader("batch", root, *common, "--late-penalty", "10%/day", "--resume",
                   env=stand_in_env)  # new options: nothing is reused
    assert "unchanged" not in done.stdout
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["student"] or row["name"]: row for row in csv.DictReader(handle)}
    alice = rows["lesson-alice"]
    assert float(alice["total"]) < 15 and alice["commit_time"].startswith("2026-12-02")  # the latest commit
    assert alice["hours_late"] == "12.02" and alice["late_penalty"] == "10%"  # one started day
    assert float(alice["total_after_penalty"]) == pytest.approx(round(float(alice["total"]) * 0.9, 2))

    done = _grader("batch", root, *common, "--late-penalty", "10%/day", "--resume", env=stand_in_env)
    assert "2 unchanged, kept from the last run" in done.stdout  # alice and zed: nothing graded again


def _descendants(pid: int) -> set[int]:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                table[int(entry)] = int(open(f"/proc/{entry}/stat", "rb").read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in table.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat", "rb").read().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state != b"Z"


def test_sigterm_writes_the_gradebook_and_ends_every_child(classroom, fixtures_dir, tmp_path, stand_in_env):
    out = tmp_path / "grades"
    command = [sys.executable, "-m", "grader", "batch", str(classroom), "--out", str(out), "--jobs", "2",
               "--time-limit", "60", "--fixtures", str(fixtures_dir)]
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=clean_env(**stand_in_env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / "alice" / "row.json").exists():
        seen |= _descendants(proc.pid)
        time.sleep(0.05)
    time.sleep(1.0)  # carol's loop is running now
    seen |= _descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stdout + stderr
    assert "Stopped by SIGTERM" in stderr and "--resume" in stderr
    with open(out / "gradebook.csv", newline="") as handle:
        statuses = {row["student"]: row["status"] for row in csv.DictReader(handle)}
    assert statuses["alice"] == "graded" and len(statuses) == 6  # those not reached are listed as such
    assert any(status.startswith("not graded yet: the batch was stopped") for status in statuses.values())
    assert len(seen) > 2 and not [pid for pid in seen if _alive(pid)]


def test_instructor_run_finds_misplaced_work(fixtures_dir, tmp_path, stand_in_env):
    copy_exercise_files(CORRECT, tmp_path / "frank" / "Exercises", rename={"pca.py": "pca (1).py"})
    done = _grader("instructor", tmp_path / "frank", "--fixtures", fixtures_dir, env=stand_in_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Note: graded Exercises/pca (1).py as exercises/pca.py" in done.stdout and "Score: 15 / 15" in done.stdout
