"""The ten reflection questions and the Markdown file that keeps the student's answers (atomic writes)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import NamedTuple

__all__ = ["Question", "QUESTIONS", "load_answers", "save_answers", "answered"]


class Question(NamedTuple):
    id: str  # "R1" ... "R10"
    section: str  # the app page it belongs to
    prompt: str


QUESTIONS: tuple[Question, ...] = (
    Question("R1", "1", "Before any analysis: do you expect the dimensionality of the representation to rise, stay "
                        "the same or fall from the first layer to the last? Why?"),
    Question("R2", "1", "Which low-level features (colour, edges, texture) and which high-level features (shape, "
                        "parts, whole objects) could tell these four classes apart?"),
    Question("R3", "2", "Why compare images with a correlation rather than with the Euclidean distance between "
                        "their activation vectors?"),
    Question("R4", "2", "What changes in the similarity matrices from the first layers to the last, and what does "
                        "that tell you about what each layer represents?"),
    Question("R5", "3", "What does it mean when two layers have a high second-order similarity? And a low one?"),
    Question("R6", "3", "Why Pearson correlation for the first-order matrices but Spearman rank correlation for "
                        "the second-order comparison?"),
    Question("R7", "3", "Which groups (blocks) of layers stand out in the second-order matrix?"),
    Question("R8", "3", "How do layer types relate: a convolution and its ReLU, a linear layer and its ReLU, a "
                        "dropout layer and its input? What did the in-place ReLU pitfall do to that picture?"),
    Question("R9", "4", "Why draw 1000 units at random from each layer instead of using all of them for PCA?"),
    Question("R10", "4", "What happens to the dimensionality (components needed for 80 % of the variance) "
                         "through the network? Does it match what you expected in R1?"),
)
_IDS = {question.id for question in QUESTIONS}
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
        if match.group(1) in _IDS:
            answers[match.group(1)] = body.strip()
    return answers


def save_answers(path: Path, answers: dict[str, str]) -> None:
    """Write every question with its answer, atomically: a crash mid-write leaves the previous file intact."""
    path = Path(path)
    parts = [_PREAMBLE]
    for question in QUESTIONS:
        parts.append(f"\n## {question.id}. {question.prompt}\n\n{answers.get(question.id, '').strip()}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write("".join(parts))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def answered(answers: dict[str, str]) -> dict[str, bool]:
    """Question id -> whether it has a non-empty answer."""
    return {question.id: bool(answers.get(question.id, "").strip()) for question in QUESTIONS}
