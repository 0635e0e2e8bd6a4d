"""GitHub Actions: a Markdown step summary, ::error annotations, and a submission's text made unable to run commands."""

from __future__ import annotations

import html
import os
import re
import secrets

from grader.reports.text import DIAGNOSIS_LABEL, LABELS, summary_line
from grader.results import GradeReport

__all__ = ["in_github_actions", "neutralise", "github_annotations", "step_summary"]

_MAX_ANNOTATIONS = 10  # GitHub shows at most 10 errors per step
_MAX_SUMMARY_BYTES = 900_000  # GitHub's limit is 1 MiB per step
_COMMAND_START = re.compile(r"^(\s*)(::|##\[)", re.MULTILINE)


def in_github_actions(environ=None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get("GITHUB_ACTIONS") == "true" or bool(environ.get("GITHUB_STEP_SUMMARY"))


def neutralise(text: str, token: str | None = None) -> str:
    """Text that may hold a submission's output, wrapped so that the runner executes none of it.

    Two layers: workflow-command processing is switched off around it (``::stop-commands::<token>`` ...
    ``::<token>::`` with a random token the submission cannot know), and every line that would start a
    command (``::`` or the legacy ``##[``) is defused by a space placed inside the marker.
    """
    token = token or secrets.token_hex(16)
    defused = _COMMAND_START.sub(lambda match: match.group(1) + match.group(2)[0] + " " + match.group(2)[1:], text)
    return f"::stop-commands::{token}\n{defused.rstrip()}\n::{token}::\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(report: GradeReport, submission_dir=None) -> str:
    """One ``::error`` line per exercise that did not pass (escaped, so no message can start another command)."""
    lines = []
    for exercise in [exercise for exercise in report.exercises if not exercise.passed][:_MAX_ANNOTATIONS]:
        title = f"{exercise.name}: {exercise.status} ({exercise.score:g}/{exercise.max_score:g})"
        properties = f"title={_property(title)}"
        if submission_dir is not None:
            try:
                relative = os.path.relpath(os.path.join(submission_dir, f"{exercise.module}.py"))
                if not relative.startswith(".."):
                    properties = f"file={_property(relative)},{properties}"
            except ValueError:
                pass
        message = exercise.message + (f"\nHint: {exercise.hint}" if exercise.hint else
                                      f"\n{DIAGNOSIS_LABEL} {exercise.diagnosis}" if exercise.diagnosis else "")
        lines.append(f"::error {properties}::{_data(message[:4000])}")
    return "\n".join(lines) + ("\n" if lines else "")


def _cell(text: str) -> str:
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", "<br>")


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"


def step_summary(report: GradeReport, title: str = "Grading") -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: a table of exercises, then the failures in code blocks."""
    lines = [f"## {html.escape(title)}", "", f"**{html.escape(summary_line(report))}**", "",
             "| | exercise | score | result |", "|---|---|---|---|"]
    for exercise in report.exercises:
        label = LABELS.get(exercise.status, exercise.status.upper())
        lines.append(f"| {label} | `{exercise.name}` | {exercise.score:g} / {exercise.max_score:g} | "
                     f"{_cell(exercise.message.splitlines()[0] if exercise.message else '')} |")
    for exercise in report.exercises:
        if exercise.passed:
            continue
        details = [exercise.message] + ([f"Hint: {exercise.hint}"] if exercise.hint else
                                        [f"{DIAGNOSIS_LABEL} {exercise.diagnosis}"] if exercise.diagnosis else [])
        for case in exercise.failed_cases[:3]:
            details.append(f"- {case.name}: {case.message}" + (f"\n  Hint: {case.hint}" if case.hint else ""))
        if exercise.output.strip():
            details.append("Your code printed:\n" + exercise.output)
        lines += ["", f"<details><summary>{html.escape(exercise.name)}: {html.escape(exercise.status)}</summary>", "",
                  _fenced("\n".join(details)), "", "</details>"]
    if report.reflections:
        done = sum(report.reflections.values())
        lines += ["", f"Reflections answered: {done} of {len(report.reflections)}"]
    text = "\n".join(lines) + "\n"
    encoded = text.encode("utf-8")
    if len(encoded) > _MAX_SUMMARY_BYTES:
        text = encoded[:_MAX_SUMMARY_BYTES].decode("utf-8", "ignore") + "\n\n(summary cut: see the JSON report)\n"
    return text
