"""The Markdown file that keeps the student's reflection answers: read leniently, saved without losing a word.

The file is a sequence of chunks: answer sections (a heading naming a question, then its answer) and everything
else (a preamble, other sections, comments), which every save keeps byte for byte. Rules, in order:

- Fenced code (```` ``` ```` or ``~~~``) holds no headings.
- An *answer heading* is a heading line of any level (``#`` to ``######``, a space after the hashes optional, a
  UTF-8 BOM allowed) whose text is ``R<n>`` (any case) for one of the ten questions, followed by nothing, by
  ``.``, ``:``, ``)``, a dash, or the start of that question's prompt. It starts that question's section.
- A heading whose text is ``R<n>`` followed by a word (``## R5 is what I mean``) is answer text, not a heading.
- Any other heading (``## R11``, ``## Notes``; a space after the hashes needed) ends an answer when its level is
  the answer heading's or higher, and starts a chunk that is kept verbatim; a deeper one is answer text.
- A question whose heading appears twice has one answer: the sections' texts joined by a blank line (a first
  draft is kept); saving that answer writes it under the first heading and removes the later copies.

Saves are read-modify-write under a lock (``fcntl.flock`` on a hidden file beside the reflections), merged per
question (``lesson.text_merge.merge3``), atomic, keeping the file's mode and a symlink; a read-only file is
refused. A file that is not UTF-8, too large or unreadable raises ``ReflectionsFileError`` (a message saying
how to fix it); ``convert_to_utf8`` rewrites a Latin-1 / Windows-1252 file as UTF-8.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from lesson.atomic import locked, write_atomic
from lesson.curriculum import QUESTION_IDS, QUESTIONS
from lesson.text_merge import merge3

__all__ = ["MAX_BYTES", "ReflectionsFileError", "read_text", "load_answers", "save_answers", "update_answers",
           "Saved", "answered", "is_placeholder", "convert_to_utf8"]

MAX_BYTES = 1_000_000  # ten answers fit in a few KB; beyond this the file is not what the lesson wrote

_PREAMBLE = ("# Reflections\n\n<!-- Saved by the lesson app as you type. You may also edit this file by hand: "
             "keep each '## R<number>' heading and write your answer below it. -->\n")
_LINE_HEADING = re.compile(r"^\ufeff?[ ]{0,3}(#{1,6})(?:[ \t]+(.*?)|(R\s*\d+.*?))[ \t]*$", re.IGNORECASE)
_ANSWER_ID = re.compile(r"R\s*0*(\d+)(.*)$", re.IGNORECASE | re.DOTALL)
_FENCE = re.compile(r"^[ ]{0,3}(```|~~~)")
_PROMPTS = {question.id: question.prompt for question in QUESTIONS}
_ORDER = [question.id for question in QUESTIONS]
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PLACEHOLDERS = {"todo", "tbd", "tba", "fixme", "xxx", "answer", "your answer", "your answer here",
                 "write your answer here", "write your answer here …", "write your answer here ...", "n/a", "na"}


class ReflectionsFileError(Exception):
    """The reflections file cannot be used as it is; ``str()`` says what is wrong and how to fix it."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind  # "encoding" | "size" | "unreadable"


@dataclass
class _Answer:
    id: str
    heading: str  # the heading line as written (with its newline)
    body: str  # everything up to the next chunk, as written


def _heading(line: str) -> tuple[int, str] | None:
    """(level, heading text) of a Markdown heading line, else None (``#hashtag`` is not one; ``##R1`` is)."""
    match = _LINE_HEADING.match(line.rstrip("\r\n"))
    if match is None:
        return None
    return len(match.group(1)), (match.group(2) if match.group(2) is not None else match.group(3)) or ""


def _classify(text: str) -> tuple[str, str | None]:
    """("answer", id) | ("foreign", None) | ("text", None) for a heading's text (see the module's rules)."""
    match = _ANSWER_ID.match(text.strip())
    if match is None:
        return "foreign", None
    question_id, after = f"R{int(match.group(1))}", match.group(2)
    rest = after.strip().rstrip("#").strip()  # "## R1 ##": a closing sequence
    proper = not rest or rest[0] in ".:)-–—"
    if not proper and question_id in _PROMPTS:
        prompt_start = _PROMPTS[question_id][:24].casefold()
        proper = rest.casefold().startswith(prompt_start[:max(8, min(len(rest), len(prompt_start)))])
    if not proper:
        return "text", None
    return ("answer", question_id) if question_id in QUESTION_IDS else ("foreign", None)


def _parse(text: str) -> list[str | _Answer]:
    """The file as chunks: verbatim strings and answer sections; ``"".join`` of their text gives ``text`` back."""
    chunks: list[str | _Answer] = [""]
    level, fenced = None, False  # level: the current answer heading's, None outside answers
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _heading(line)
        if heading is not None:
            kind, question_id = _classify(heading[1])
            if kind == "answer":
                chunks.append(_Answer(question_id, line, ""))
                level = heading[0]
                continue
            if kind == "foreign" and (level is None or heading[0] <= level):
                chunks.append(line)
                level = None
                continue
        if isinstance(chunks[-1], _Answer):
            chunks[-1].body += line
        else:
            chunks[-1] += line
    return chunks


def _answers_of(chunks: list[str | _Answer]) -> dict[str, str]:
    """Question id -> its answer: the text of its sections (several when its heading is repeated), stripped."""
    parts: dict[str, list[str]] = {}
    for chunk in chunks:
        if isinstance(chunk, _Answer):
            parts.setdefault(chunk.id, [])
            if chunk.body.strip():
                parts[chunk.id].append(chunk.body.strip())
    return {question_id: "\n\n".join(texts) for question_id, texts in parts.items()}


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReflectionsFileError(
            f"{path.name} is not saved as UTF-8 text (byte 0x{data[error.start]:02x} at position {error.start} "
            "cannot be read; Windows editors often save as Latin-1 / Windows-1252). Convert it: press 'Convert to "
            "UTF-8' in the lesson app (on any page with reflections), or save it as 'UTF-8' in your editor.",
            "encoding") from None


def read_text(path: Path) -> str | None:
    """The file's text (None when there is no file), or ``ReflectionsFileError`` saying how to fix it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReflectionsFileError(f"{path.name} is {size:,} bytes, far more than ten answers need (at most "
                                       f"{MAX_BYTES:,}). Is it the right file? Keep only your answers in it.", "size")
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ReflectionsFileError(f"{path} is a folder, not a file. Rename it, so the lesson can create the "
                                   "reflections file there.", "unreadable") from None
    except OSError as error:
        raise ReflectionsFileError(f"{path} cannot be read ({error.strerror or error}). Check its permissions "
                                   f"(for example `chmod u+rw {path.name}`).", "unreadable") from None
    return _decode(path, data)


def load_answers(path: Path) -> dict[str, str]:
    """Answers by question id ("R1" ...) from the Markdown file; a missing file means no answers yet. Raises
    ``ReflectionsFileError`` for a file that cannot be read as the lesson's reflections."""
    text = read_text(path)
    return {} if text is None else _answers_of(_parse(text))


def _joined(chunks: list[str | _Answer]) -> str:
    return "".join(chunk if isinstance(chunk, str) else chunk.heading + chunk.body for chunk in chunks)


def _place(chunks: list[str | _Answer], index: int, answer: str) -> None:
    """Write ``answer`` into the section ``chunks[index]``; if the answer holds headings that would end its section
    (say ``## Notes`` under a ``## R3`` heading), the heading is raised to ``#`` when that makes the file read
    back the same answers (checked by parsing); otherwise such a line starts a section of its own (still kept)."""
    chunk = chunks[index]
    expected = {**_answers_of(chunks), chunk.id: answer.strip()}
    chunk.body = f"\n{answer.strip()}\n\n" if answer.strip() else "\n\n"
    original = chunk.heading
    for heading in (original, re.sub(r"#{1,6}", "#", original, count=1)):
        chunk.heading = heading
        if _answers_of(_parse(_joined(chunks))) == expected:
            return
    chunk.heading = original


def _apply(chunks: list[str | _Answer], question_id: str, answer: str) -> None:
    """Put ``answer`` into the chunks: under the question's first heading (later copies removed), or as a new
    section after the questions before it."""
    sections = [index for index, chunk in enumerate(chunks) if isinstance(chunk, _Answer) and chunk.id == question_id]
    if not sections:
        earlier = set(_ORDER[:_ORDER.index(question_id)])
        after = max((index for index, chunk in enumerate(chunks) if isinstance(chunk, _Answer) and chunk.id in earlier),
                    default=None)
        new = _Answer(question_id, f"## {question_id}. {_PROMPTS[question_id]}\n", "")
        if after is None:
            position = next((index for index, chunk in enumerate(chunks) if isinstance(chunk, _Answer)), len(chunks))
        else:
            position = after + 1
        previous = chunks[position - 1] if position else ""
        text_before = previous.body if isinstance(previous, _Answer) else previous
        if text_before and not text_before.endswith("\n\n"):
            new.heading = ("\n" if text_before.endswith("\n") else "\n\n") + new.heading
        chunks.insert(position, new)
        sections = [position]
    for index in reversed(sections[1:]):
        del chunks[index]
    _place(chunks, sections[0], answer)


@dataclass(frozen=True)
class Saved:
    """What one answer became: the file's text for it now, and whether another edit of it was merged in."""

    text: str
    merged: bool  # the file held a different edit of this answer: both are in ``text`` now
    overlapped: bool  # the two edits changed the same words: both versions stand side by side


def update_answers(path: Path, changes: dict[str, tuple[str | None, str]]) -> dict[str, Saved]:
    """Save answers: question id -> (base, text), where ``base`` is the answer the editor started from (None:
    overwrite). Under the lock the file is read again and each answer merged three-way with what it holds now,
    so a concurrent save from another tab, process or editor is never lost. Everything else stays verbatim."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    with locked(target):
        text = read_text(target)
        chunks = _parse(text) if text is not None else _parse(_PREAMBLE + "".join(
            f"\n## {question.id}. {question.prompt}\n\n" for question in QUESTIONS))
        on_disk = _answers_of(chunks)
        merges, changed = {}, text is None
        for question_id, (base, mine) in changes.items():
            if question_id not in QUESTION_IDS:
                raise ValueError(f"unknown question {question_id!r}: expected one of {', '.join(_ORDER)}")
            mine, theirs = mine.strip(), on_disk.get(question_id, "")
            merged, overlapped = merge3(theirs if base is None else base.strip(), mine, theirs)
            merges[question_id] = (mine, overlapped)
            if merged.strip() != theirs or text is None:
                _apply(chunks, question_id, merged.strip())
                changed = True
        if changed:
            write_atomic(path, _joined(chunks), fsync=True, keep_mode=text is not None, refuse_read_only=True,
                         follow_symlink=True, mode=None if text is not None else 0o644)
        now = _answers_of(_parse(_joined(chunks)))  # what the file holds (what a reader will see)
        results = {question_id: Saved(now.get(question_id, ""), now.get(question_id, "") != mine, overlapped)
                   for question_id, (mine, overlapped) in merges.items()}
    return results


def save_answers(path: Path, answers: dict[str, str]) -> None:
    """Write these answers (others and everything else in the file unchanged), atomically, under the lock."""
    update_answers(path, {question_id: (None, text) for question_id, text in answers.items()})


def is_placeholder(text: str, question_id: str | None = None) -> bool:
    """Whether an answer is only a placeholder: empty, comments, punctuation, "TODO" and the like, the prompt."""
    bare = " ".join(_COMMENT.sub(" ", text).split()).casefold()
    if not any(character.isalnum() for character in bare):
        return True
    prompt = _PROMPTS.get(question_id or "", "").casefold()
    return bare.strip(" .:!?-*_") in _PLACEHOLDERS or (bool(prompt) and bare == prompt)


def answered(answers: dict[str, str]) -> dict[str, bool]:
    """Question id -> whether it has a real answer (not empty, not a placeholder such as "TODO" or ".")."""
    return {question.id: not is_placeholder(answers.get(question.id, ""), question.id) for question in QUESTIONS}


def convert_to_utf8(path: Path) -> None:
    """Rewrite a reflections file saved as Windows-1252 / Latin-1 as UTF-8, keeping its text."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    with locked(target):
        data = target.read_bytes()
        try:
            data.decode("utf-8")
            return  # already UTF-8
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        write_atomic(target, text, fsync=True, keep_mode=True, refuse_read_only=True)
