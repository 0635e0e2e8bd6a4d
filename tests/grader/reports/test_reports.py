"""Report formats: the JSON schema, JUnit XML that parses, Gradescope's fields, and GitHub Actions output."""

from __future__ import annotations

import dataclasses
import json
import re

from grader_helpers import PROJECT_ROOT
from report_checks import check_gradescope, check_json_report, check_junit

from grader.reports import (
    error_report,
    github_annotations,
    gradescope_error,
    gradescope_results,
    junit_error,
    junit_xml,
    neutralise,
    render_text,
    report_to_json,
    step_summary,
)
from grader.results import CaseResult, ExerciseResult, GradeReport

HOSTILE_TEXT = ("line one\n::error::forged\n  ::warning::indented\n##[error]legacy\n"
                "NUL \x00 escape \x1b[31m | <b>html</b> ```")


def _report() -> GradeReport:
    failed_case = CaseResult("edge: basic", False, f"Your function raised ValueError.\n{HOSTILE_TEXT}", hint="a hint")
    return GradeReport(
        score=3.5, max_score=6.0, seconds=1.25,
        exercises=(
            ExerciseResult("get_similarity_matrix", "rsa", True, True, 3.0, 3.0, "All 2 cases pass.", status="passed",
                           cases=(CaseResult("edge: basic", True), CaseResult("bank: conv1", True, hidden=True))),
            ExerciseResult("PCA", "pca", True, False, 0.5, 2.0, "1 of 2 cases fail.", hint="Centre each feature",
                           cases=(failed_case, CaseResult("bank: fc8", False, "Not run", hidden=True, ran=False)),
                           output=HOSTILE_TEXT, status="timeout"),
            ExerciseResult("redness", "stimuli", False, False, 0.0, 1.0, "Not attempted yet: implement redness",
                           status="not attempted")),
        provenance={"key": "abc", "weights": {"kind": "random", "description": "random"}},
        submission={"rsa.py": "0" * 64}, reflections={"R1": True, "R2": False},
        grader={"version": "x", "sha256": "y", "files": {"grader/running/child.py": "z"}})


def test_json_report_follows_the_schema():
    report = check_json_report(json.loads(json.dumps(report_to_json(_report()))))
    assert report["error"] is None and report["passed"] is False
    assert [case["ran"] for case in report["exercises"][1]["cases"]] == [True, False]


def test_error_report_keeps_the_schema():
    report = check_json_report(error_report("no bank", seconds=0.5))
    assert report["error"] == "no bank" and report["exercises"] == []


def test_junit_parses_even_with_control_characters_in_the_output():
    root = check_junit(junit_xml(_report()))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "3", "0")
    pca = root.find("testsuite[@name='PCA']")
    assert "\ufffd" in pca.find("system-out").text and "<b>html</b>" in pca.find("system-out").text
    assert pca.find("testcase/failure").get("message").startswith("Your function raised ValueError")
    assert check_junit(junit_error("no bank")).find("testsuite/testcase/error").get("message") == "no bank"


def test_gradescope_has_the_documented_fields():
    results = check_gradescope(gradescope_results(_report(), "summary"))
    assert [test["status"] for test in results["tests"]] == ["passed", "failed", "failed"]
    assert results["score"] == 3.5 and results["visibility"] == "visible" and results["execution_time"] == 2
    assert "Hint: Centre each feature" in results["tests"][1]["output"]
    crashed = check_gradescope(gradescope_error("no bank", 3.2))
    assert crashed["score"] == 0 and crashed["tests"] == [] and "no bank" in crashed["output"]


def test_neutralise_stops_commands_and_defuses_each_line():
    wrapped = neutralise(HOSTILE_TEXT, token="t0k3n")
    lines = wrapped.splitlines()
    assert lines[0] == "::stop-commands::t0k3n" and lines[-1] == "::t0k3n::"
    assert not [line for line in lines[1:-1] if re.match(r"\s*(::|##\[)", line)]
    assert ": :error::forged" in wrapped and "  : :warning::indented" in wrapped and "# #[error]legacy" in wrapped
    assert len({neutralise("x").splitlines()[0] for _ in range(3)}) == 3  # a fresh token each time


def test_annotations_cannot_be_split_into_other_commands():
    lines = github_annotations(_report()).splitlines()
    assert len(lines) == 2 and all(line.startswith("::error title=") for line in lines)
    assert "%0A" in lines[0] and "::set-output" not in lines[0]


def test_step_summary_escapes_submission_text():
    text = step_summary(_report())
    assert "| PASS | `get_similarity_matrix` | 3 / 3 |" in text and "| TIME | `PCA` | 0.5 / 2 |" in text
    assert "<b>html</b>" not in text.split("<details>")[0]  # table cells are escaped
    fences = re.findall(r"^(`{3,})text$", text, flags=re.MULTILINE)
    assert len(fences[0]) > 3  # PCA's block: longer than the ``` inside its output
    assert "Reflections answered: 1 of 2" in text


def test_text_report_lists_failures_hints_and_output():
    text = render_text(_report(), title="Grading x")
    assert text.startswith("Grading x\n")
    assert "PASS   get_similarity_matrix" in text and "TIME   PCA" in text and "TODO   redness" in text
    assert "Hint: Centre each feature" in text and "  | line one" in text
    assert "1 cases did not run" in text and "Score: 3.5 / 6" in text and "Reflections answered: 1 of 2 (R1)" in text
    assert "Note: these are stand-in data" in text


def test_every_provenance_field_a_report_carries_is_documented(reference_source, fixtures_dir, hidden_fixtures_dir):
    from grader.cases.fixtures import FixtureSource

    schema = (PROJECT_ROOT / "grader" / "SCHEMA.md").read_text()
    row = next(line for line in schema.splitlines() if line.startswith("| `provenance` |"))
    documented = set(re.findall(r"`([a-z_0-9]+)`", row))
    case_sets = []
    for source in (reference_source, FixtureSource.load(fixtures_dir), FixtureSource.load(hidden_fixtures_dir)):
        provenance = report_to_json(dataclasses.replace(_report(), provenance=source.provenance()))["provenance"]
        fields = set(provenance) | {key for part in ("weights", "images", "fixtures") for key in provenance.get(part, {})}
        assert fields <= documented, f"provenance fields missing from grader/SCHEMA.md: {sorted(fields - documented)}"
        case_sets.append(provenance["case_set"])
    assert case_sets[:2] == ["public", "public"] and re.fullmatch(r"hidden:[0-9a-f]{12}", case_sets[2])
    assert '"public"' in row and '"hidden:<12 hex digits>"' in row
