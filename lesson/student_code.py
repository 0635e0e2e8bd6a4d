"""The student's exercise files as the app sees them: its contract, its current code, freshly loaded.

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

from lesson.curriculum import Exercise
from lesson.references import reference_function, references_available

__all__ = ["StudentCodeError", "file_digest", "syntax_problem", "load_module", "load_function", "Contract", "contract"]


class StudentCodeError(Exception):
    """The student's file could not be loaded or lacks the function; ``str()`` is a message for the student."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


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
    except Exception as error:  # noqa: BLE001 (any error at import time is the student's to fix: say where)
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
