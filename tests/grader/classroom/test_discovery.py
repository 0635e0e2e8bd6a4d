"""Finding the work where students really put it (grader/classroom/discovery.py); nothing here runs student code."""

from __future__ import annotations

import pytest
from classroom_helpers import copy_exercise_files
from grader_helpers import PROJECT_ROOT, SUBMISSIONS

from grader.classroom.discovery import MAX_FILE_BYTES, discover, is_stub, stage_found

CORRECT = SUBMISSIONS / "correct" / "float32_inside"
STUBS = PROJECT_ROOT / "exercises"


def test_the_expected_layout_has_no_notes(tmp_path):
    copy_exercise_files(CORRECT, tmp_path / "exercises")
    found = discover(tmp_path)
    assert found.status == "graded" and not found.notes and not found.skipped
    assert set(found.files) == {"rsa.py", "pca.py", "stimuli.py"}
    assert found.files["rsa.py"] == tmp_path / "exercises" / "rsa.py"


def test_stubs_are_recognised():
    assert all(is_stub(STUBS / name) for name in ("rsa.py", "pca.py", "stimuli.py"))
    assert not any(is_stub(CORRECT / name) for name in ("rsa.py", "pca.py", "stimuli.py"))


@pytest.mark.parametrize("layout, want_folder, want_note", [
    ("Exercises", "Exercises", "graded Exercises/rsa.py as exercises/rsa.py"),
    ("root beside stubs", "", "exercises/rsa.py is still the unchanged stub"),
    ("download zip", "lesson-main/exercises", "inside one nested folder lesson-main/"),
    ("renamed by the browser", "exercises", "graded exercises/rsa (1).py as exercises/rsa.py"),
])
def test_misplaced_work_is_graded_with_a_note(tmp_path, layout, want_folder, want_note):
    if layout == "Exercises":
        copy_exercise_files(CORRECT, tmp_path / "Exercises")
    elif layout == "root beside stubs":
        copy_exercise_files(STUBS, tmp_path / "exercises")
        copy_exercise_files(CORRECT, tmp_path)
    elif layout == "download zip":
        copy_exercise_files(CORRECT, tmp_path / "lesson-main" / "exercises")
    else:
        copy_exercise_files(CORRECT, tmp_path / "exercises", rename={"rsa.py": "rsa (1).py"})
    found = discover(tmp_path)
    assert found.status == "graded"
    assert any(want_note in note for note in found.notes), found.notes
    assert found.files["rsa.py"].parent == (tmp_path / want_folder if want_folder else tmp_path)
    staged = stage_found(found, tmp_path / "staged")
    assert (staged / "rsa.py").read_bytes() == (CORRECT / "rsa.py").read_bytes()


def test_notebook_only_says_so(tmp_path):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "lesson.ipynb").write_text('{"cells": []}')
    found = discover(tmp_path)
    assert not found.files
    assert found.status.startswith("not graded: only notebooks found (work/lesson.ipynb)")
    assert "expected exercises/rsa.py" in found.status and "export the code as .py" in found.status


def test_nothing_found_is_not_graded(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    status = discover(tmp_path).status
    assert status.startswith("not graded: no exercise file found") and "expected exercises/rsa.py" in status


def test_symlinks_and_large_files_are_left_out_with_the_reason(tmp_path):
    folder = tmp_path / "exercises"
    copy_exercise_files(CORRECT, folder)
    (folder / "rsa.py").unlink()
    (folder / "rsa.py").symlink_to(CORRECT / "rsa.py")
    with open(folder / "pca.py", "a") as handle:
        handle.write("#" * (MAX_FILE_BYTES + 10))
    found = discover(tmp_path)
    assert set(found.files) == {"stimuli.py"}
    assert "exercises/rsa.py skipped: a symbolic link (only regular files are graded)" in found.skipped
    assert any(item.startswith("exercises/pca.py skipped: too large (1.0 MB") for item in found.skipped)


def test_reflections_are_found_in_the_repository_root(tmp_path):
    copy_exercise_files(CORRECT, tmp_path / "exercises")
    (tmp_path / "reflections.md").write_text("## R1\nyes\n")
    assert discover(tmp_path).reflections == tmp_path / "reflections.md"
