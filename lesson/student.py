"""The student's exercise files as the app sees them: which exercise lives where, its contract, its current code.

A file is loaded by compiling its current bytes into a fresh module (never ``importlib.reload``, which keeps
deleted names, and never a ``.pyc``, which can be stale when a file is rewritten within a second). Loading is
keyed by the file's sha256, so an edit is picked up on the next rerun and an unchanged file is not re-run.
A broken file becomes a ``StudentCodeError`` whose message names the line, never a traceback.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import sys
import traceback
import types
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "Exercise", "EXERCISES", "EXERCISES_BY_NAME", "exercises_for_section", "StudentCodeError", "file_digest",
    "load_module", "load_function", "syntax_problem", "contract", "reference_function", "references_available",
    "NotSolvedYet", "ReferencesUnavailable",
]


class Exercise(NamedTuple):
    name: str  # the function's name, as the grader knows it
    module: str  # "rsa" | "pca" | "stimuli": the file exercises/<module>.py
    section: str  # the lesson section (app page) that teaches it
    purpose: str  # one line for people: what the app uses it for


EXERCISES: tuple[Exercise, ...] = (
    Exercise("redness", "stimuli", "1", "how red each image is"),
    Exercise("pick_redness_extrema", "stimuli", "1", "the 40 images of the RSA order"),
    Exercise("get_similarity_matrix", "rsa", "2", "the first-order similarity matrices"),
    Exercise("extract_lower_tri_entries", "rsa", "3", "the entries the second-order comparison uses"),
    Exercise("spearman_corrcoef", "rsa", "3", "rank correlation between layers"),
    Exercise("second_order_similarity", "rsa", "3", "the layer-by-layer matrix"),
    Exercise("PCA", "pca", "4", "variance explained per component"),
    Exercise("components_to_reach", "pca", "4", "components needed for a fraction of the variance"),
)
EXERCISES_BY_NAME = {exercise.name: exercise for exercise in EXERCISES}


def exercises_for_section(section: str) -> tuple[Exercise, ...]:
    return tuple(exercise for exercise in EXERCISES if exercise.section == section)


class StudentCodeError(Exception):
    """The student's file could not be loaded or lacks the function; ``str()`` is a message for the student."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class NotSolvedYet(Exception):
    """A part of a page is drawn with an exercise the student has not solved yet, and this copy of the lesson has
    no reference solution to draw it with instead (a student release). ``str()`` says what to do."""


class ReferencesUnavailable(Exception):
    """A part of a page needs the reference solutions, which a student release leaves out. ``str()`` says so."""


def references_available() -> bool:
    """Whether the reference solutions can be imported: True in the course repository, False in a student release
    (``python -m grader release``), where every plot is drawn with the student's own functions."""
    # By location, not by import: a student's own folder named "solutions" on sys.path must not count.
    return (Path(__file__).resolve().parent.parent / "solutions" / "rsa.py").is_file()


def file_digest(path: Path) -> str:
    """sha256 of the file's bytes, or "missing" when there is no such file."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return "missing"


def _line_in(error: BaseException, path: Path) -> int | None:
    """The last line of ``path`` in the error's traceback (where the student's code failed)."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno
    return line


def syntax_problem(path: Path) -> StudentCodeError | None:
    """The file's syntax error (with its line) if it does not compile, without running any of it; else None."""
    try:
        compile(Path(path).read_bytes(), str(path), "exec", dont_inherit=True)
    except FileNotFoundError:
        return StudentCodeError(f"There is no file {path}. Restore it from your repository (for example "
                                f"`git checkout -- {Path(path).name}` in its folder).")
    except SyntaxError as error:
        detail = (error.text or "").strip()
        return StudentCodeError(f"{Path(path).name} has a syntax error on line {error.lineno}: {error.msg}"
                                + (f"\n\n    {detail}" if detail else ""), error.lineno)
    except ValueError as error:  # e.g. null bytes
        return StudentCodeError(f"{Path(path).name} cannot be read as Python: {error}")
    return None


def load_module(path: Path, digest: str | None = None) -> types.ModuleType:
    """Compile and run the file's current bytes as a fresh module; raise ``StudentCodeError`` when that fails.

    ``digest`` (the sha256 the caller cached by) only names the module; the code run is always the file's bytes.
    """
    path = Path(path).resolve()
    try:
        source = path.read_bytes()
    except FileNotFoundError:
        raise StudentCodeError(f"There is no file {path}. Restore it (for example `git checkout -- {path.name}` "
                               "in the exercises folder) or point LESSON_EXERCISES_DIR at your exercises.") from None
    name = f"_student_{path.stem}_{(digest or hashlib.sha256(source).hexdigest())[:12]}"
    problem = syntax_problem(path)
    if problem is not None:
        raise problem
    code = compile(source, str(path), "exec", dont_inherit=True)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    added_path = str(path.parent) not in sys.path
    if added_path:  # so that `import helpers` next to the exercise file works, as when the grader runs it
        sys.path.append(str(path.parent))
    try:
        exec(code, module.__dict__)  # noqa: S102 (the student's own code, on their own machine)
    except Exception as error:  # any error at import time is the student's to fix: say where
        line = _line_in(error, path)
        where = f" on line {line}" if line else ""
        raise StudentCodeError(f"{path.name} fails when it is loaded{where}: {type(error).__name__}: {error}",
                               line) from None
    finally:
        if added_path and str(path.parent) in sys.path:
            sys.path.remove(str(path.parent))
    return module


def load_function(path: Path, function_name: str, digest: str | None = None):
    """The named function from the student's file (freshly loaded), or ``StudentCodeError``."""
    module = load_module(path, digest)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise StudentCodeError(f"{Path(path).name} has no function {function_name}(). Keep the function from the "
                               "template with its name and signature.")
    return function


def reference_function(exercise: Exercise):
    """The reference solution of an exercise (from ``solutions/``); ``ReferencesUnavailable`` in a student release."""
    import importlib

    if not references_available():
        raise ReferencesUnavailable(f"The reference {exercise.name} is not part of this copy of the lesson (a "
                                    "student release has no reference solutions).")

    return getattr(importlib.import_module(f"solutions.{exercise.module}"), exercise.name)


@dataclass(frozen=True)
class Contract:
    signature: str  # "def get_similarity_matrix(activations):"
    docstring: str


def contract(exercise: Exercise, exercise_file: Path | None = None) -> Contract:
    """The exercise's contract: the signature and docstring of its stub (identical to the reference's).

    Read with ``ast`` from the student's file when it parses and still has the function (so a broken file does
    no harm), else from the reference solution.
    """
    if exercise_file is not None:
        try:
            tree = ast.parse(Path(exercise_file).read_bytes())
        except (OSError, SyntaxError, ValueError):
            tree = None
        for node in getattr(tree, "body", ()):
            if isinstance(node, ast.FunctionDef) and node.name == exercise.name:
                docstring = ast.get_docstring(node)
                if docstring:
                    return Contract(f"def {node.name}({ast.unparse(node.args)}):", docstring)
    if not references_available():
        return Contract(f"def {exercise.name}(...):",
                        f"{exercise.name}() is missing from your file (or has lost its docstring), so its contract "
                        f"cannot be shown. Restore its def line and docstring from the template (your repository's "
                        f"history has it: `git log -p exercises/{exercise.module}.py`).")
    function = reference_function(exercise)
    return Contract(f"def {exercise.name}{inspect.signature(function)}:", inspect.getdoc(function) or "")
