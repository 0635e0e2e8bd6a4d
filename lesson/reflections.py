"""The Markdown file that keeps the student's reflection answers (atomic writes)."""

from __future__ import annotations

import re
from pathlib import Path

from lesson.atomic import write_atomic
from lesson.curriculum import QUESTION_IDS, QUESTIONS

__all__ = ["load_answers", "save_answers", "answered"]

_HEADING = re.compile(r"^## (R\d+)\b.*$", re.MULTILINE)


_PREAMBLE = ("# Reflections\n\n<!-- Saved by the lesson app as you type. You may also edit this file by hand: "
             "keep each '## R<number>' heading and write your answer below it. -->\n")


def load_answers(path: Path) -> dict[str, str]:
    """Answers by question id ("R1" ...) from the Markdown file; a missing file means no answers yet."""
    path = Path(path)
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    answers: dict[str, str] = {}
    matches = list(_HEADING.finditer(text))
    for match, following in zip(matches, matches[1:] + [None]):
        body = text[match.end(): following.start() if following else len(text)]
        if match.group(1) in QUESTION_IDS:
            answers[match.group(1)] = body.strip()
    return answers


def save_answers(path: Path, answers: dict[str, str]) -> None:
    """Write every question with its answer, atomically: a crash mid-write leaves the previous file intact."""
    path = Path(path)
    parts = [_PREAMBLE]
    for question in QUESTIONS:
        parts.append(f"\n## {question.id}. {question.prompt}\n\n{answers.get(question.id, '').strip()}\n")
    write_atomic(path, "".join(parts), fsync=True)


def answered(answers: dict[str, str]) -> dict[str, bool]:
    """Question id -> whether it has a non-empty answer."""
    return {question.id: bool(answers.get(question.id, "").strip()) for question in QUESTIONS}
