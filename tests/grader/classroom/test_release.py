"""`python -m grader release`: a student repository without solutions that grades from fixtures, without torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import yaml
from classroom_helpers import build_with_grader, clean_env
from grader_helpers import PROJECT_ROOT, SUBMISSIONS


@pytest.fixture(scope="module")
def release(tmp_path_factory, fixtures_dir, stand_in_env):
    return build_with_grader("release", tmp_path_factory.mktemp("release") / "student-repo", fixtures_dir, stand_in_env)


@pytest.fixture(scope="module")
def hidden_fixtures(bank, stand_in_settings, tmp_path_factory):
    from grader.cases.case_sets import hidden_case_set
    from grader.classroom.build import build_fixtures

    folder = tmp_path_factory.mktemp("hidden-fixtures")
    build_fixtures(bank, folder, settings=stand_in_settings, case_set=hidden_case_set(b"a release test key, 32 bytes!!!"))
    return folder


def _run(python, release, *args, env=None, timeout=120):
    return subprocess.run([str(python), *map(str, args)], cwd=release, env=clean_env(**(env or {})),
                          capture_output=True, text=True, timeout=timeout)


def _submission(tmp_path, source, name="exercises"):
    """A copy of ``source``'s modules (the reference solutions import `solutions._validate`: keep that name)."""
    folder = tmp_path / name
    folder.mkdir()
    for path in source.glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, folder / path.name)
    return folder


def test_release_layout(release):
    present = {path.name for path in release.iterdir()}
    assert {"lesson", "exercises", "grader", ".streamlit", "run-app", "run-grader", "pyproject.toml", "README.md",
            ".github", ".gitignore", "RELEASE.json", "scripts"} <= present
    assert not {"solutions", "tests", "bench", ".ci"} & present
    assert not list(release.rglob("__pycache__")) and not list(release.rglob("solutions*"))
    assert (release / "grader" / "fixtures" / "manifest.json").is_file()
    assert "grade = [\"numpy>=1.24\", \"scipy>=1.10\"]" in (release / "pyproject.toml").read_text()
    readme = (release / "README.md").read_text()
    assert "GitHub Classroom" in readme and "python -m grader instructor" in readme and "MB" in readme


def test_workflow_yaml(release):
    workflow = yaml.safe_load((release / ".github" / "workflows" / "grade.yml").read_text())
    assert "push" in workflow[True]  # YAML reads the key `on` as True
    steps = workflow["jobs"]["grade"]["steps"]
    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"
    runs = [step.get("run", "") for step in steps]
    assert any('pip install' in run and '".[grade]"' in run for run in runs)
    assert any("python -m grader --format text --json report.json --junit junit.xml" in run for run in runs)
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and "report.json" in upload["with"]["path"] and "junit.xml" in upload["with"]["path"]


def test_solutions_cannot_be_imported(release, python):
    done = _run(python, release, "-c", "import importlib.util as u; import lesson, grader, exercises; "
                                       "print(u.find_spec('solutions'), u.find_spec('torch'))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "None"]
    done = _run(python, release, "-c", "import torch")
    assert done.returncode != 0 and "No module named 'torch'" in done.stderr


def test_release_grades_without_torch(release, python, tmp_path):
    submission = _submission(tmp_path, PROJECT_ROOT / "solutions", name="solutions")
    done = _run(python, release, "-m", "grader", "--submission", submission, "--format", "json")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    report = json.loads(done.stdout)
    assert report["score"] == report["max_score"] == 15 and report["provenance"]["fixtures"]["sha256"]
    assert not any(case["name"].startswith("torch:") for item in report["exercises"] for case in item["cases"])
    assert report["seconds"] < 60  # seconds in practice; a generous bound


def test_release_grades_a_wrong_submission(release, python, tmp_path):
    submission = _submission(tmp_path, SUBMISSIONS / "wrong" / "pca_not_centred")
    done = _run(python, release, "-m", "grader", "--submission", submission, "--format", "json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    statuses = {item["name"]: item["status"] for item in report["exercises"]}
    assert statuses["PCA"] == "failed" and statuses["redness"] == "not attempted"


def test_release_stubs_and_ci_output(release, python, tmp_path):
    """The release's own exercises/ are stubs (exit 1); in GitHub Actions the output cannot issue commands."""
    summary = tmp_path / "summary.md"
    done = _run(python, release, "-m", "grader", "--format", "text", "--json", tmp_path / "r.json",
                "--junit", tmp_path / "j.xml", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::stop-commands::") and "| TODO |" in summary.read_text()
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 0 and (tmp_path / "j.xml").is_file()
    (tmp_path / "h").mkdir()
    hostile = _submission(tmp_path / "h", SUBMISSIONS / "hostile" / "fake_output")
    done = _run(python, release, "-m", "grader", "--submission", hostile, env={"GITHUB_ACTIONS": "true"})
    lines = done.stdout.splitlines()
    token = lines[0].split("::")[2]
    inside = lines[1:lines.index(f"::{token}::")]
    assert not any(line.lstrip().startswith(("::", "##[")) for line in inside)


def test_tampered_release_fixtures_exit_2(release, python, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(release, copy)
    manifest = json.loads((copy / "grader" / "fixtures" / "manifest.json").read_text())
    manifest["sha256"] = "0" * 64
    (copy / "grader" / "fixtures" / "manifest.json").write_text(json.dumps(manifest))
    done = _run(python, copy, "-m", "grader")
    assert done.returncode == 2 and "changed or damaged" in done.stderr


def test_bank_selection_without_solutions(release):
    """Building a bank in a release: the stand-in's RSA selection comes from the fixtures (no solutions needed)."""
    code = ("from lesson.config import Settings; from lesson.data.images import make_synthetic; "
            "from lesson.data.prepare import rsa_selection; s = Settings(); "
            "i = make_synthetic(per_class=s.images_loaded_per_class); "
            "r, idx, how = rsa_selection(i, s); print(list(idx)); print(how)")
    hide_checkout = f"import sys; sys.path[:] = [p for p in sys.path if p != {str(PROJECT_ROOT)!r}]; "
    done = _run(sys.executable, release, "-c", hide_checkout + "import importlib.util as u; "
                "assert u.find_spec('solutions') is None; " + code)  # the app's environment (PIL), no solutions
    assert done.returncode == 0, done.stderr
    reference = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.stdout.splitlines()[0] == reference.stdout.splitlines()[0]
    assert "stored with the release" in done.stdout


def test_release_app_draws_with_the_students_functions(release, tmp_path, stand_in_env, bank):
    """The app inside a release (no solutions): each plot says "not solved yet" until the student's exercise
    passes its check, then it is drawn with the student's code; no error or exception on any page."""
    exercises = tmp_path / "exercises"
    shutil.copytree(release / "exercises", exercises)
    script = PROJECT_ROOT / "tests" / "grader" / "release_app_script.py"
    done = subprocess.run([sys.executable, str(script), str(release), str(exercises),
                           str(SUBMISSIONS / "correct" / "float32_inside")], cwd=release, capture_output=True,
                          text=True, timeout=900,
                          env=clean_env(**stand_in_env, LESSON_EXERCISES_DIR=str(exercises),
                                        LESSON_REFLECTIONS=str(tmp_path / "reflections.md")))
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["lesson_module"].startswith(str(release))
    for phase in ("stubs", "solved"):
        for page, shown in seen[phase].items():
            assert not shown["exceptions"] and not shown["errors"], (phase, page, shown)
    for page, shown in seen["stubs"].items():
        waiting = [text for text in shown["info"] if text.startswith("**Not solved yet.**")]
        assert waiting, (page, shown["info"])
        assert "not checked yet" in waiting[0] and "exercises/" in waiting[0]
        assert not any("reference solution" in text for text in shown["captions"] if "Computed with" in text)
    assert seen["stubs"]["lesson_pages/p1_network.py"]["charts"] == 2  # the units per layer, the top-5; redness waits
    assert seen["stubs"]["lesson_pages/p2_first_order.py"]["charts"] == 0
    for page, shown in seen["solved"].items():
        assert not any(text.startswith("**Not solved yet.**") for text in shown["info"]), (page, shown["info"])
        assert any(text.startswith("🧑‍🎓 Computed with **your**") for text in shown["captions"]), page
        assert shown["charts"] > seen["stubs"][page]["charts"], page
    optional = " ".join(seen["solved"]["lesson_pages/p3_second_order.py"]["info"])
    assert "leaves out" in optional  # the optional comparison with references says why it is missing


def test_workflow_reports_points_to_classroom(release):
    workflow = yaml.safe_load((release / ".github" / "workflows" / "grade.yml").read_text())
    assert workflow["permissions"]["checks"] == "write" and workflow["permissions"]["contents"] == "read"
    assert workflow["concurrency"]["group"] == "grading-${{ github.ref }}" and workflow["concurrency"]["cancel-in-progress"]
    job = workflow["jobs"]["grade"]
    assert job["name"] == "Autograding Tests"  # the check run the reporter writes "Points x/y" on
    assert job["if"] == "github.actor != 'github-classroom[bot]'"
    grade = next(step for step in job["steps"] if step.get("id") == "grade")
    assert "python -m grader.classroom.classroom_points report.json >> \"$GITHUB_OUTPUT\"" in grade["run"]
    reporter = job["steps"][-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"] == "grade" and reporter["env"]["GRADE_RESULTS"] == "${{ steps.grade.outputs.result }}"


def _classroom_points(python, release, report, tmp_path):
    import base64

    done = _run(python, release, "-m", "grader.classroom.classroom_points", report)
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith("result=")
    return json.loads(base64.b64decode(line.removeprefix("result="))), done.stderr


def test_classroom_points_for_fresh_partial_and_broken_repositories(release, python, tmp_path):
    """What the dashboard shows: the release's untouched stubs, a partly wrong submission, a grading that failed."""
    fresh = tmp_path / "fresh.json"
    _run(python, release, "-m", "grader", "--json", fresh)
    result, summary = _classroom_points(python, release, fresh, tmp_path)
    assert result["status"] == "pass" and result["max_score"] == 15 and len(result["tests"]) == 8
    assert sum(test["score"] for test in result["tests"]) == 0 and "Points 0/15 (pass)" in summary
    assert all(test["status"] == "fail" and "not" in test["message"].lower() for test in result["tests"])
    partial = tmp_path / "partial.json"
    submission = _submission(tmp_path, SUBMISSIONS / "wrong" / "pca_not_centred")
    _run(python, release, "-m", "grader", "--submission", submission, "--json", partial)
    result, _ = _classroom_points(python, release, partial, tmp_path)
    assert result["status"] == "fail"  # an attempted exercise fails: a red check
    pca = next(test for test in result["tests"] if test["name"].startswith("PCA"))
    assert 0 <= pca["score"] < 3 and pca["filename"] == "exercises/pca.py"
    result, summary = _classroom_points(python, release, tmp_path / "missing.json", tmp_path)
    assert result["status"] == "error" and result["max_score"] == 15 and "Points 0/15 (error)" in summary


def test_release_never_holds_the_model_answers(release):
    """solutions/reflections.md (model answers and rubric) stays on the instructor's side."""
    model = (PROJECT_ROOT / "solutions" / "reflections.md").read_text()
    phrases = [line.strip() for line in model.splitlines() if len(line.strip()) > 60][:40]
    assert len(phrases) == 40
    for path in release.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".py", ".json", ".txt", ".html", ".yml", ""):
            text = path.read_text(errors="replace")
            assert not any(phrase in text for phrase in phrases), path


def test_release_ships_no_correct_implementation(release):
    assert not (release / "grader" / "judging" / "formulations.py").exists()
    assert (release / "grader" / "judging" / "hints.py").is_file()
    shipped = "\n".join(path.read_text() for path in (release / "grader").rglob("*.py"))
    assert "MISTAKEN" not in shipped and "def signatures(" not in shipped
    assert "lambda a: np.cov(" not in shipped and "def pearson(" not in shipped  # no formulation survived elsewhere
    # nor the reference PCA spectrum the lesson's reference curves use (most of the PCA exercise's answer)
    lesson_code = "\n".join(path.read_text() for path in (release / "lesson").rglob("*.py"))
    assert not (release / "solutions").exists() and "eigvalsh(" not in lesson_code and "svd(" not in lesson_code


def _hidden_arrays(source):
    """The hidden cases' expected arrays that say something (at least 8 distinct values: not the (2, 2) matrix of
    two images, whose correlations are ±1 whatever the images, nor an identity)."""
    from grader.registry import EXERCISES

    found = []
    for exercise in EXERCISES:
        for case in source.cases(exercise):
            parts = case.expected if isinstance(case.expected, tuple) else (case.expected,)
            found += [np.asarray(part) for part in parts
                      if np.size(part) >= 8 and len(np.unique(np.asarray(part)[np.isfinite(part)])) >= 8]
    return found


def test_release_holds_no_expected_output_of_a_hidden_case(release, hidden_fixtures):
    """Search every file of the release, and every array of its fixtures, for the hidden cases' expected arrays."""
    from grader.cases.fixtures import FixtureSource

    hidden = FixtureSource.load(hidden_fixtures)
    expected = _hidden_arrays(hidden)
    assert len(expected) > 50
    shipped = FixtureSource.load(release / "grader" / "fixtures")
    assert shipped.case_set == "public" and shipped.manifest["case_set_id"] == "public"
    stored = [np.asarray(array) for array in shipped._arrays.values()]
    by_shape = {}
    for array in stored:
        by_shape.setdefault(array.shape, []).append(array)
    for wanted in expected:
        for candidate in by_shape.get(wanted.shape, []):
            same = np.array_equal(candidate, wanted, equal_nan=True) if candidate.dtype.kind == "f" else np.array_equal(
                candidate, wanted)
            assert not same, f"a hidden expected array of shape {wanted.shape} is in the release's fixtures"
    needles = {np.ascontiguousarray(wanted.astype(dtype)).tobytes()[:64] for wanted in expected
               for dtype in (np.float64, np.float32) if wanted.dtype.kind == "f"}
    for path in release.rglob("*"):
        if path.is_file() and path.suffix != ".npz":
            data = path.read_bytes()
            assert not any(needle in data for needle in needles), path
    assert hidden.manifest["case_set_id"] not in (release / "grader" / "fixtures" / "manifest.json").read_text()


def test_release_refuses_hidden_fixtures_and_records_the_stand_ins(release, hidden_fixtures, tmp_path, stand_in_env):
    from classroom_helpers import run_grader_command

    record = json.loads((release / "RELEASE.json").read_text())
    assert record["fixtures"]["case_set"] == "public"
    assert record["stand_in"]["weights"] and record["stand_in"]["images"] and "Imagenette" in record["stand_in"]["about"]
    done = run_grader_command("release", tmp_path / "bad", "--fixtures", hidden_fixtures, env=stand_in_env)
    assert done.returncode == 2 and "hidden cases" in done.stderr
    done = run_grader_command("release", tmp_path / "ok", "--fixtures", release / "grader" / "fixtures", env=stand_in_env)
    assert done.returncode == 0, done.stderr
    assert "WARNING" in done.stderr and "STAND-IN" in done.stderr and "not the pretrained AlexNet" in done.stderr


RELEASE_HINTS = """
import json, sys
from pathlib import Path
from grader import grade
print(json.dumps({folder: {item.name: [item.score, item.hint] for item in grade(Path(sys.argv[1]) / folder,
      warm=False, time_limit=30).exercises if item.attempted} for folder in sys.argv[2:]}))
"""


def test_hints_in_a_release_equal_hints_in_the_repository(release, python, reference_source, monkeypatch):
    """The whole wrong corpus, graded in a release (no formulations, no torch) and in the course repository (here
    without the torch child too: a hint about torch tensors can only come where torch is installed)."""
    import grader.engine
    from grader import grade

    monkeypatch.setattr(grader.engine, "torch_installed", lambda: False)
    wrong = SUBMISSIONS / "wrong"
    folders = sorted(folder.name for folder in wrong.iterdir() if folder.is_dir())
    done = _run(python, release, "-c", RELEASE_HINTS, wrong, *folders, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    in_release = json.loads(done.stdout.splitlines()[-1])
    for folder in folders:
        report = grade(wrong / folder, source=reference_source, warm=False, time_limit=30)
        in_repository = {item.name: [item.score, item.hint] for item in report.exercises if item.attempted}
        assert in_release[folder] == in_repository, folder
        # every catalogued mistake gets its hint; the two that are wrong only with a tensor are right without torch,
        # and the uncatalogued_* ones get a diagnosis instead (tests/grader/judging/test_diagnosis.py)
        if folder not in ("similarity_numpy_only_for_tensors", "similarity_returns_tensor") \
                and not folder.startswith("uncatalogued_"):
            assert any(hint for _, hint in in_repository.values()), folder  # every wrong submission gets a hint
