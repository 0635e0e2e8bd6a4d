"""`python -m grader` end to end: exit codes, every report format, GitHub Actions, and reports no submission can fake."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest
from grader_helpers import PROJECT_ROOT, SUBMISSIONS
from report_checks import check_gradescope, check_json_report, check_junit

CI_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")


def run_grader(args, env, extra_env=None, timeout=300):
    environment = {key: value for key, value in os.environ.items() if key not in CI_VARIABLES}
    environment.update(env)
    environment.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=PROJECT_ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def _reports(tmp_path):
    paths = {"json": tmp_path / "report.json", "junit": tmp_path / "junit.xml", "gradescope": tmp_path / "results.json"}
    return paths, [item for name, path in paths.items() for item in (f"--{name}", path)]


def test_solutions_pass_with_every_report_and_github_actions(stand_in_env, tmp_path):
    paths, flags = _reports(tmp_path)
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    done = run_grader(["--submission", PROJECT_ROOT / "solutions", *flags], stand_in_env,
                      {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stdout + done.stderr
    report = check_json_report(json.loads(paths["json"].read_text()))
    assert report["passed"] and report["score"] == report["max_score"] == 15
    assert set(report["submission"]) >= {"rsa.py", "pca.py", "stimuli.py"}
    assert report["provenance"]["key"] and report["provenance"]["weights"]["kind"] == "random"
    assert check_junit(paths["junit"].read_text()).get("failures") == "0"
    assert check_gradescope(json.loads(paths["gradescope"].read_text()))["score"] == 15
    first_line, token = done.stdout.splitlines()[0], ""
    assert first_line.startswith("::stop-commands::")
    token = first_line.split("::")[2]
    assert len(token) >= 32 and f"::{token}::" in done.stdout
    text = summary.read_text()
    assert text.startswith("# earlier step\n") and "| PASS | `get_similarity_matrix` | 3 / 3 |" in text


def test_unchanged_stubs_are_not_attempted_exit_1(stand_in_env):
    done = run_grader(["--exercise", "get_similarity_matrix", "--exercise", "PCA", "--format", "json"], stand_in_env)
    assert done.returncode == 1, done.stderr
    report = check_json_report(json.loads(done.stdout))
    assert [(item["name"], item["status"], item["attempted"]) for item in report["exercises"]] == [
        ("get_similarity_matrix", "not attempted", False), ("PCA", "not attempted", False)]
    assert "implement get_similarity_matrix in exercises/rsa.py" in report["exercises"][0]["message"]


def test_all_stubs_exit_1_and_say_not_attempted(stand_in_env):
    done = run_grader(["--time-limit", "20"], stand_in_env)
    assert done.returncode == 1
    assert done.stdout.count("TODO ") == 8 and "Not attempted yet" in done.stdout and "Traceback" not in done.stdout


def test_cannot_grade_exits_2_and_still_writes_every_report(stand_in_env, tmp_path):
    paths, flags = _reports(tmp_path)
    summary = tmp_path / "summary.md"
    done = run_grader(["--submission", tmp_path / "no-such-folder", *flags], stand_in_env,
                      {"GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 2
    assert "Grading could not run" in summary.read_text() and done.stdout.startswith("::error title=")
    assert done.stderr.strip().count("\n") == 0 and "no submission folder" in done.stderr
    assert json.loads(paths["json"].read_text())["error"]
    gradescope = check_gradescope(json.loads(paths["gradescope"].read_text()))
    assert gradescope["score"] == 0 and "could not run" in gradescope["output"]
    assert ET.fromstring(paths["junit"].read_text()).get("errors") == "1"


def test_no_bank_exits_2_with_the_reason(stand_in_env, tmp_path):
    done = run_grader(["--exercise", "redness"], stand_in_env, {"LESSON_IMAGES": str(tmp_path / "no-images")})
    assert done.returncode == 2
    assert "no activation bank" in done.stderr and "no-images" in done.stderr
    assert "Traceback" not in done.stderr


def test_submission_output_cannot_forge_results_or_workflow_commands(stand_in_env):
    folder = SUBMISSIONS / "hostile" / "fake_output"
    done = run_grader(["--submission", folder, "--exercise", "get_similarity_matrix", "--format", "json"], stand_in_env,
                      {"GITHUB_ACTIONS": "true"})
    assert done.returncode == 1
    assert json.loads(done.stdout)["exercises"][0]["passed"] is False  # stdout is the grader's JSON alone
    assert done.stderr.startswith("::error ")  # the annotations went to stderr
    done = run_grader(["--submission", folder, "--exercise", "get_similarity_matrix"], stand_in_env,
                      {"GITHUB_ACTIONS": "true"})
    lines = done.stdout.splitlines()
    token = lines[0].split("::")[2]
    end = lines.index(f"::{token}::")
    inside = lines[1:end]
    assert any("set-output" in line for line in inside)  # the output is shown ...
    assert not [line for line in inside if re.match(r"\s*(::|##\[)", line)]  # ... but cannot start a command
    annotations = lines[end + 1:]
    assert annotations and all(line.startswith("::error file=") and "title=get_similarity_matrix" in line
                               for line in annotations)


def check_hostile_report_writer(stand_in_env, tmp_path):
    """A submission that writes fake reports to the CLI's report paths, at import and 2 s later, from a detached
    process: the reports are written by the grader after every child is gone, and stay genuine."""
    paths, flags = _reports(tmp_path)
    folder = SUBMISSIONS / "hostile" / "write_report_paths"
    done = run_grader(["--submission", folder, "--exercise", "redness", *flags], stand_in_env)
    assert done.returncode == 1, done.stderr
    for _ in range(2):
        report = check_json_report(json.loads(paths["json"].read_text()))
        assert report["score"] == 0 and "hacked" not in report
        check_junit(paths["junit"].read_text())
        gradescope = check_gradescope(json.loads(paths["gradescope"].read_text()))
        assert gradescope["score"] == 0 and "hacked" not in gradescope
        time.sleep(3)  # the submission's late writer would have struck by now


def test_the_help_lists_every_subcommand(capsys):
    from grader.cli import COMMANDS, main

    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    listed = " ".join(capsys.readouterr().out.split("Commands:", 1)[1].split())  # argparse wraps the epilog
    for name in COMMANDS:
        assert re.search(rf"\b{name}\b", listed), f"`python -m grader --help` does not list the {name} command"
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0, f"`python -m grader {name} --help` exited {done.value.code}"
