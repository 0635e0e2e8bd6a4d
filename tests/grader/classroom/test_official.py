"""Official grades: `instructor` and `batch` grade on the hidden cases of a key; public fixtures only with a warning;
`--require-pretrained` refuses stand-ins; `fixtures --hidden` writes hidden fixtures and says they are stand-ins."""

from __future__ import annotations

import json

import pytest
from classroom_helpers import run_grader_command
from grader_helpers import SUBMISSIONS


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    path = tmp_path_factory.mktemp("key") / "hidden-key"
    path.write_bytes(b"an instructor's key of 32 bytes!")
    return path


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    repo = tmp_path_factory.mktemp("student") / "alice"
    (repo / "exercises").mkdir(parents=True)
    for path in (SUBMISSIONS / "correct" / "float32_inside").glob("*.py"):
        (repo / "exercises" / path.name).write_text(path.read_text())
    return repo


def test_instructor_grades_on_the_hidden_cases_of_the_key(student, key, tmp_path, stand_in_env):
    done = run_grader_command("instructor", student, "--out", tmp_path, "--hidden-key", key, env=stand_in_env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["score"] == report["max_score"] == 15
    assert report["provenance"]["case_set"].startswith("hidden:")
    cases = [case for item in report["exercises"] for case in item["cases"]]
    assert cases and all(case["hidden"] for case in cases)


def test_hidden_fixtures_command_and_batch_from_them(student, key, tmp_path, stand_in_env, fixtures_dir):
    done = run_grader_command("fixtures", tmp_path / "hidden", "--hidden", "--hidden-key", key, env=stand_in_env)
    assert done.returncode == 0, done.stderr
    assert "hidden fixtures (hidden:" in done.stdout and "STAND-IN" in done.stderr
    manifest = json.loads((tmp_path / "hidden" / "manifest.json").read_text())
    assert manifest["case_set"] == "hidden" and manifest["stand_in"]["weights"]
    classroom = student.parent
    done = run_grader_command("batch", classroom, "--out", tmp_path / "grades", "--fixtures", tmp_path / "hidden",
                              env=stand_in_env)
    assert done.returncode == 0, done.stderr
    assert "PUBLIC" not in done.stderr
    report = json.loads((tmp_path / "grades" / "alice" / "report.json").read_text())
    assert report["score"] == 15 and report["provenance"]["case_set"] == manifest["case_set_id"]
    done = run_grader_command("batch", classroom, "--out", tmp_path / "public", "--fixtures", fixtures_dir,
                              env=stand_in_env)
    assert done.returncode == 0 and "WARNING" in done.stderr and "PUBLIC cases" in done.stderr


def test_require_pretrained_and_missing_keys_exit_2(student, tmp_path, stand_in_env, fixtures_dir):
    done = run_grader_command("instructor", student, "--fixtures", fixtures_dir, "--require-pretrained",
                              env=stand_in_env)
    assert done.returncode == 2 and "--require-pretrained" in done.stderr and "pretrained AlexNet" in done.stderr
    done = run_grader_command("batch", student.parent, "--out", tmp_path / "g", "--fixtures", fixtures_dir,
                              "--require-pretrained", env=stand_in_env)
    assert done.returncode == 2 and "--require-pretrained" in done.stderr
    done = run_grader_command("instructor", student, "--hidden-key", tmp_path / "no-such-key", env=stand_in_env)
    assert done.returncode == 2 and "no hidden-case key at" in done.stderr and "/dev/urandom" in done.stderr
