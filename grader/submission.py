"""What was graded: the sha256 of the submission's files and of the grader's own, and which reflections are answered."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["sha256_of", "submission_hashes", "grader_fingerprint", "find_reflections", "reflections_answered",
           "reflections_problem"]

GRADER_DIR = Path(__file__).resolve().parent
REFLECTIONS_FILE = "reflections.md"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def submission_hashes(submission_dir: Path, file_names: Iterable[str]) -> dict[str, str]:
    """File name -> sha256 for each of ``file_names`` present in the submission (plus its reflections file)."""
    hashes = {}
    for name in dict.fromkeys(file_names):
        path = submission_dir / name
        if path.is_file():
            hashes[name] = sha256_of(path)
    reflections = find_reflections(submission_dir)
    if reflections is not None:
        name = REFLECTIONS_FILE if reflections.parent == submission_dir else f"../{REFLECTIONS_FILE}"
        try:
            hashes[name] = sha256_of(reflections)
        except OSError:  # unreadable: reflections_problem says so; the code is graded all the same
            pass
    return hashes


def grader_fingerprint() -> dict:
    """The grader's version, the sha256 of each of its files, and one sha256 over all of them."""
    try:
        from importlib.metadata import version

        grader_version = version("alexnet-lesson")
    except Exception:  # noqa: BLE001 (not installed: a copied release)
        grader_version = "unknown"
    files = {path.relative_to(GRADER_DIR.parent).as_posix(): sha256_of(path)
             for path in sorted(GRADER_DIR.rglob("*")) if path.is_file() and path.suffix in (".py", ".md")
             and "__pycache__" not in path.parts}
    combined = hashlib.sha256("".join(f"{name}\0{digest}\n" for name, digest in files.items()).encode()).hexdigest()
    return {"version": grader_version, "sha256": combined, "files": files}


def find_reflections(submission_dir: Path) -> Path | None:
    """The reflections file of a submission: ``reflections.md`` in the submission folder, else in its parent.

    The parent is where the lesson app saves it when the submission is the repository's ``exercises/`` folder.
    """
    for folder in (submission_dir, submission_dir.parent):
        candidate = folder / REFLECTIONS_FILE
        if candidate.is_file():
            return candidate
    return None


def _read_answers(submission_dir: Path) -> tuple[dict[str, str], str]:
    """(answers, problem): the reflections' answers, or none and a message when the file cannot be used."""
    from lesson.reflections import ReflectionsFileError, load_answers

    path = find_reflections(submission_dir)
    if path is None:
        return {}, ""
    try:
        return load_answers(path), ""
    except ReflectionsFileError as error:
        return {}, f"{error} The code was graded; the reflections count as not answered until then."


def reflections_answered(submission_dir: Path) -> dict[str, bool]:
    """Question id ("R1" ... "R10") -> whether it has a real answer (not a placeholder such as "TODO"); all False
    when there is no reflections file or it cannot be read (``reflections_problem`` says why). Never raises."""
    from lesson.curriculum import QUESTIONS
    from lesson.reflections import answered

    answers, _ = _read_answers(submission_dir)
    return answered(answers) if answers else {question.id: False for question in QUESTIONS}


def reflections_problem(submission_dir: Path) -> str:
    """Why the submission's reflections file cannot be read (not UTF-8, too large, unreadable), with the fix; ""
    when it can be read or there is none."""
    return _read_answers(submission_dir)[1]
