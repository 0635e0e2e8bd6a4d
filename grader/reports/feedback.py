"""feedback.md: what a TA can send a student: the score, where the work was found, lateness, and the terminal report."""

from __future__ import annotations

import re

from grader.reports.text import render_text
from grader.results import GradeReport

__all__ = ["render_feedback"]


def _fenced(text: str) -> str:
    """``text`` in a code fence longer than any run of backticks inside it (a student's output cannot close it)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def render_feedback(report: GradeReport | None, *, student: str, status: str = "graded", notes=(), skipped=(),
                    commit: str = "", lateness: str = "", penalty_note: str = "") -> str:
    """The Markdown feedback for one student (``report`` None when nothing could be graded: ``status`` says why)."""
    lines = [f"# Feedback: {student}", ""]
    if report is not None:
        lines.append(f"**Score: {report.score:g} / {report.max_score:g}**"
                     + (f" ({penalty_note})" if penalty_note else ""))
    else:
        lines.append(f"**Not graded:** {status}")
    lines.append("")
    details = ([f"Graded commit: `{commit}`"] if commit else []) + ([lateness] if lateness else [])
    details += [f"Note: {note}" for note in notes] + [f"Left out: {item}" for item in skipped]
    lines.extend(f"- {item}" for item in details)
    if details:
        lines.append("")
    if report is not None:
        lines += ["## The grader's report", "", _fenced(render_text(report, title=f"Grading {student}"))]
    return "\n".join(lines).rstrip() + "\n"
