"""`python -m grader reflections SUBMISSIONS --out DIR`: one offline HTML page per question, every student's answer
beside the model answer and its rubric, with a score field; the scores are saved as CSV and merge into the gradebook.

The model answers live in the course repository's ``solutions/reflections.md`` (never in a release). A page
keeps the scores typed into it in the browser's local storage and downloads them as ``scores-R<n>.csv``
(student, question, score, comment); ``batch --reflection-scores FILE`` reads those files, or
``scores.csv``, the same table with one column per question for a spreadsheet.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from grader.errors import GradingError
from lesson.atomic import write_atomic
from lesson.curriculum import QUESTION_IDS, QUESTIONS

__all__ = ["MODEL_ANSWERS", "POINTS_PER_QUESTION", "load_model_answers", "collect_answers", "build_review",
           "read_scores"]

MODEL_ANSWERS = Path(__file__).resolve().parents[2] / "solutions" / "reflections.md"
POINTS_PER_QUESTION = 2.0

_STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222}
.model{background:#eef6ee;border-left:4px solid #3a7;padding:.6em 1em;white-space:pre-wrap}
.rubric{background:#f6f3e6;border-left:4px solid #b93;padding:.4em 1em;white-space:pre-wrap}
table{border-collapse:collapse;width:100%;margin-top:1em}td,th{border-top:1px solid #ccc;padding:.5em;vertical-align:top}
td.answer{white-space:pre-wrap;width:65%}.none{color:#999;font-style:italic}input.score{width:4.5em}
nav a{margin-right:.6em}button{font-size:1em;padding:.3em .8em}#saved{color:#3a7;margin-left:1em}"""

_SCRIPT = """const QUESTION = %(question)s, MAX = %(max)s, KEY = "grader-reflections-" + QUESTION;
const saved = JSON.parse(localStorage.getItem(KEY) || "{}");
function rows() { return Array.from(document.querySelectorAll("tr[data-student]")); }
for (const row of rows()) {
  const entry = saved[row.dataset.student] || {};
  row.querySelector("input.score").value = entry.score ?? "";
  row.querySelector("input.comment").value = entry.comment ?? "";
}
function collect() {
  const data = {};
  for (const row of rows()) {
    data[row.dataset.student] = {score: row.querySelector("input.score").value,
                                 comment: row.querySelector("input.comment").value};
  }
  localStorage.setItem(KEY, JSON.stringify(data));
  const done = Object.values(data).filter(entry => entry.score !== "").length;
  document.getElementById("saved").textContent = done + " of " + rows().length + " scored (kept in this browser)";
  return data;
}
document.addEventListener("input", collect);
function quote(text) { return '"' + String(text).replaceAll('"', '""') + '"'; }
function download() {
  const data = collect();
  const lines = ["student,question,score,comment"];
  for (const [student, entry] of Object.entries(data)) {
    if (entry.score !== "") lines.push([student, QUESTION, entry.score, entry.comment].map(quote).join(","));
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([lines.join("\\n") + "\\n"], {type: "text/csv"}));
  link.download = "scores-" + QUESTION + ".csv";
  link.click();
}
collect();"""


def _reflow(text: str) -> str:
    """Markdown paragraphs as one line each (the pages wrap them to the window)."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.strip().split("\n\n") if paragraph.strip())


def load_model_answers(path: Path = MODEL_ANSWERS) -> dict[str, tuple[str, str]]:
    """Question id -> (model answer, rubric), from the instructors' Markdown file."""
    from lesson.reflections import load_answers

    if not Path(path).is_file():
        raise GradingError(f"there are no model answers at {path}: they live in the course repository's "
                           "solutions/reflections.md (a student release has none); run this from the course repository")
    sections = load_answers(Path(path))
    missing = [question.id for question in QUESTIONS if not sections.get(question.id)]
    if missing:
        raise GradingError(f"{path} has no model answer for {', '.join(missing)}: add a '## R<n>' section for each")
    answers = {}
    for question_id, body in sections.items():
        answer, _, rubric = body.partition("**Rubric.**")
        answers[question_id] = (_reflow(answer), _reflow(rubric))
    return answers


def collect_answers(students: list[tuple[str, Path]]) -> dict[str, dict[str, str]]:
    """Student -> question id -> answer (empty when unanswered or when there is no reflections file)."""
    from grader.classroom.discovery import discover
    from lesson.reflections import load_answers

    collected = {}
    for student, folder in students:
        found = discover(folder)
        collected[student] = load_answers(found.reflections) if found.reflections is not None else {}
    return collected


def _nav(current: str) -> str:
    links = ['<a href="index.html">all questions</a>'] + [
        f'<a href="{question.id}.html">{"<b>" + question.id + "</b>" if question.id == current else question.id}</a>'
        for question in QUESTIONS]
    return "<nav>" + " ".join(links) + "</nav>"


def _question_page(question, model: tuple[str, str], answers: dict[str, dict[str, str]]) -> str:
    rows = []
    for student, by_question in answers.items():
        answer = by_question.get(question.id, "").strip()
        shown = html.escape(answer) if answer else '<span class="none">(no answer)</span>'
        rows.append(f'<tr data-student="{html.escape(student)}"><td>{html.escape(student)}</td>'
                    f'<td class="answer">{shown}</td><td><input class="score" type="number" min="0" '
                    f'max="{POINTS_PER_QUESTION:g}" step="0.5" aria-label="score for {html.escape(student)}"></td>'
                    f'<td><input class="comment" type="text" aria-label="comment for {html.escape(student)}"></td></tr>')
    answered = sum(bool(by_question.get(question.id, "").strip()) for by_question in answers.values())
    script = _SCRIPT % {"question": json.dumps(question.id), "max": json.dumps(POINTS_PER_QUESTION)}
    return (f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{question.id}: reflections review</title>'
            f"<style>{_STYLE}</style><body>{_nav(question.id)}<h1>{question.id}</h1>"
            f"<p><b>{html.escape(question.prompt)}</b> (page {question.page}; {answered} of {len(answers)} answered)</p>"
            f'<h2>Model answer</h2><div class="model">{html.escape(model[0])}</div>'
            f'<h2>Rubric (0 to {POINTS_PER_QUESTION:g} points)</h2><div class="rubric">{html.escape(model[1])}</div>'
            f'<h2>Answers</h2><p><button onclick="download()">Download scores-{question.id}.csv</button>'
            f'<span id="saved"></span></p><table><tr><th>student</th><th>answer</th><th>score</th><th>comment</th></tr>'
            f'{"".join(rows)}</table><script>{script}</script></body></html>\n')


def build_review(students: list[tuple[str, Path]], out_dir: Path, *, model_answers: Path = MODEL_ANSWERS) -> list[Path]:
    """Write index.html, R1.html ... R10.html and scores.csv (a blank wide table) into ``out_dir``."""
    models = load_model_answers(model_answers)
    answers = collect_answers(students)
    out_dir = Path(out_dir)
    written = []
    for question in QUESTIONS:
        path = out_dir / f"{question.id}.html"
        write_atomic(path, _question_page(question, models[question.id], answers), mode=0o644)
        written.append(path)
    items = "".join(f'<li><a href="{question.id}.html">{question.id}</a>: {html.escape(question.prompt)} '
                    f'({sum(bool(a.get(question.id, "").strip()) for a in answers.values())} answers)</li>'
                    for question in QUESTIONS)
    write_atomic(out_dir / "index.html", f'<!doctype html><html lang="en"><meta charset="utf-8"><title>Reflections '
                 f'review</title><style>{_STYLE}</style><body><h1>Reflections review: {len(answers)} students</h1>'
                 f"<p>Score each answer from 0 to {POINTS_PER_QUESTION:g}; each page downloads its scores as CSV. Merge "
                 "them: <code>python -m grader batch ... --reflection-scores scores-R1.csv ...</code></p>"
                 f"<ol>{items}</ol></body></html>\n", mode=0o644)
    table = "student," + ",".join(question.id for question in QUESTIONS) + "\n"
    table += "".join(f"{student}{',' * len(QUESTIONS)}\n" for student in answers)
    write_atomic(out_dir / "scores.csv", table, mode=0o644)
    return [out_dir / "index.html"] + written


def _score(text: str, where: str) -> float | None:
    if text is None or not str(text).strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise GradingError(f"{where}: the score {text!r} is not a number (expected 0 to {POINTS_PER_QUESTION:g})") from None
    if not 0 <= value <= POINTS_PER_QUESTION:
        raise GradingError(f"{where}: the score {value:g} is outside 0 to {POINTS_PER_QUESTION:g}")
    return value


def read_scores(paths) -> dict[str, dict[str, float]]:
    """Student -> question id -> points, from long (student, question, score) or wide (student, R1 ...) CSV files."""
    scores: dict[str, dict[str, float]] = {}
    for path in paths:
        try:
            rows = list(csv.DictReader(Path(path).read_text(encoding="utf-8-sig").splitlines()))
        except OSError as error:
            raise GradingError(f"cannot read the reflection scores {path}: {error}") from None
        for number, row in enumerate(rows, start=2):
            student = (row.get("student") or "").strip()
            if not student:
                raise GradingError(f"{path} line {number}: no student (expected the columns student,question,score "
                                   "or student,R1,...,R10)")
            pairs = [(row.get("question", "").strip(), row.get("score"))] if "question" in row else [
                (key, value) for key, value in row.items() if key != "student"]
            for question_id, text in pairs:
                if question_id not in QUESTION_IDS:
                    raise GradingError(f"{path} line {number}: {question_id!r} is not a question (R1 ... R10)")
                value = _score(text, f"{path} line {number}")
                if value is not None:
                    scores.setdefault(student, {})[question_id] = value
    return scores
