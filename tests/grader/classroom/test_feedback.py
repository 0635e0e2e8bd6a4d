"""feedback.md (grader/reports/feedback.py): what a TA sends, with the student's own output kept inside its fence."""

from __future__ import annotations

from classroom_helpers import run_grader_command

from grader.reports.feedback import render_feedback
from grader.results import ExerciseResult, GradeReport


def _report(output: str) -> GradeReport:
    exercise = ExerciseResult("PCA", "pca", True, False, 1.0, 3.0, "2 of 19 cases fail.", hint="Centre the data.",
                              output=output, status="failed")
    return GradeReport(1.0, 3.0, (exercise,), provenance={}, submission={}, reflections={"R1": True, "R2": False})


def test_feedback_holds_the_terminal_report_and_the_notes():
    text = render_feedback(_report("hello\n"), student="alice", notes=["graded Exercises/pca.py as exercises/pca.py"],
                           commit="abc123", lateness="Committed 3.5 hours after the deadline",
                           penalty_note="late penalty 10%: 0.9 counted")
    assert text.startswith("# Feedback: alice\n\n**Score: 1 / 3** (late penalty 10%: 0.9 counted)")
    assert "- Graded commit: `abc123`" in text and "- Note: graded Exercises/pca.py" in text
    assert "FAIL   PCA  1/3" in text and "Hint: Centre the data." in text and "Reflections answered: 1 of 2 (R1)" in text


def test_a_students_backticks_cannot_close_the_fence():
    text = render_feedback(_report("```\n# injected heading\n````\n"), student="mallory")
    fence = next(line for line in text.splitlines() if line.startswith("`````"))
    assert fence == "`````text" and text.rstrip().endswith("`````")
    inside = text.split("`````text\n", 1)[1]
    assert "# injected heading" in inside


def test_not_graded_feedback_says_why():
    text = render_feedback(None, student="nb", status="not graded: only notebooks found (a.ipynb)")
    assert "**Not graded:** not graded: only notebooks found (a.ipynb)" in text and "```" not in text


def test_late_penalty_needs_a_deadline(tmp_path, stand_in_env):
    (tmp_path / "subs").mkdir()
    done = run_grader_command("batch", tmp_path / "subs", "--out", tmp_path / "out", "--late-penalty", "10%/day",
                              "--fixtures", tmp_path, env=stand_in_env)
    assert done.returncode == 2 and "--late-penalty needs --deadline" in done.stderr
