"""The terminal report: one line per exercise, then what failed, why, a hint (or what the numbers show), and what the
student's code printed."""

from __future__ import annotations

import re

from grader.results import GradeReport
from grader.running.outcomes import explain_warnings

__all__ = ["render_text", "summary_line", "LABELS", "DIAGNOSIS_LABEL"]

LABELS = {"passed": "PASS", "failed": "FAIL", "not attempted": "TODO", "error": "ERROR", "timeout": "TIME",
          "memory": "MEMORY"}
DIAGNOSIS_LABEL = "What the numbers show:"  # a relation seen in the outputs, not a known mistake ("Hint:")
_SHOWN_CASES = 3
_SHOWN_OUTPUT_LINES = 15


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _source_line(provenance: dict) -> str:
    weights = provenance.get("weights", {}).get("description", "")
    images = provenance.get("images", {}).get("description", "")
    key = provenance.get("key", "")
    parts = [part for part in (weights, images) if part]
    line = f"Cases from {provenance.get('source', 'the activation bank')}" + (f" {key}" if key else "")
    return line + (f": {'; '.join(parts)}" if parts else "")


_CUT_NOTE = re.compile(r"^\[\.\.\. ([\d,]+) more lines cut here")


def _cut_lines(left_out: list[str]) -> int:
    """How many printed lines ``left_out`` stands for: a note of lines already cut (outcomes.read_text) counts as
    the lines it names."""
    total = 0
    for line in left_out:
        match = _CUT_NOTE.match(line)
        total += int(match.group(1).replace(",", "")) if match else 1
    return total


def summary_line(report: GradeReport) -> str:
    passed = sum(exercise.passed for exercise in report.exercises)
    todo = sum(not exercise.attempted for exercise in report.exercises)
    extra = f", {todo} not attempted" if todo else ""
    return (f"Score: {report.score:g} / {report.max_score:g}  ({passed} of {len(report.exercises)} exercises pass{extra}; "
            f"{report.seconds:.1f} s)")


def render_text(report: GradeReport, *, title: str = "", output_prefix: str = "  | ") -> str:
    """The whole terminal report. ``output_prefix`` starts every line the student's code printed."""
    lines = [title] if title else []
    lines.append(_source_line(report.provenance))
    weights_kind = report.provenance.get("weights", {}).get("kind")
    image_source = report.provenance.get("images", {}).get("source")
    if weights_kind and (weights_kind != "pretrained" or image_source != "imagenette"):
        lines.append("Note: these are stand-in data (not the pretrained AlexNet on the Imagenette images); the checks "
                     "are the same.")
    lines.append("")
    width = max((len(exercise.name) for exercise in report.exercises), default=10)
    for exercise in report.exercises:
        label = LABELS.get(exercise.status, exercise.status.upper())
        lines.append(f"{label:<6} {exercise.name:<{width}}  {exercise.score:g}/{exercise.max_score:g}")
        lines.append(_indent(exercise.message, "       "))
        if exercise.hint:
            lines.append(_indent(f"Hint: {exercise.hint}", "       "))
        elif exercise.diagnosis:
            lines.append(_indent(f"{DIAGNOSIS_LABEL} {exercise.diagnosis}", "       "))
        failed = exercise.failed_cases
        not_run = sum(not case.ran for case in exercise.cases)
        for case in failed[:_SHOWN_CASES]:
            lines.append(f"       - {case.name}")
            lines.append(_indent(case.message, "           "))
            if case.hint and case.hint != exercise.hint:
                lines.append(_indent(f"Hint: {case.hint}", "           "))
        if len(failed) > _SHOWN_CASES:
            lines.append(f"       ... and {len(failed) - _SHOWN_CASES} more failing cases (see the JSON report).")
        if not_run:
            lines.append(f"       {not_run} cases did not run (they count as failing).")
        printed = exercise.output.rstrip().splitlines()
        if printed:
            lines.append("       Your code printed:")
            shown = printed if len(printed) <= _SHOWN_OUTPUT_LINES else (
                printed[:_SHOWN_OUTPUT_LINES - 5] + [f"[... {_cut_lines(printed[_SHOWN_OUTPUT_LINES - 5:-4]):,} lines ...]"]
                + printed[-4:])
            lines.extend(f"     {output_prefix}{line}" for line in shown)
            note = explain_warnings(exercise.output)
            if note:
                lines.append(_indent(f"Note: {note}", "       "))
        lines.append("")
    lines.append(summary_line(report))
    if report.isolation:
        lines.append(f"Isolation: {report.isolation}")
    if report.reflections:
        done = [question for question, answered in report.reflections.items() if answered]
        lines.append(f"Reflections answered: {len(done)} of {len(report.reflections)}"
                     + (f" ({', '.join(done)})" if done else ""))
    if report.reflections_problem:
        lines.append(f"Reflections file: {report.reflections_problem}")
    return "\n".join(lines) + "\n"
