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

__all__ = ["StudentCodeError", "file_digest", "function_digest", "syntax_problem", "load_module", "load_function",
           "Contract", "contract"]


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


def _without_docstrings(node: ast.AST) -> ast.AST:
    """A copy of ``node`` without the docstrings of its functions and classes (they do not change behaviour)."""
    import copy

    node = copy.deepcopy(node)
    for inner in ast.walk(node):
        body = getattr(inner, "body", None)
        if (isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            inner.body = body[1:] or [ast.Pass()]
    return node


def _defined_names(node: ast.stmt) -> list[str] | None:
    """The module-level names a statement defines, or None for a statement that always counts (imports, calls,
    assignments to attributes or items, ``if``/``try`` blocks: anything that runs at import and may matter)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
        node, (ast.AnnAssign, ast.AugAssign)) else None
    if targets is not None and all(isinstance(target, ast.Name) for target in targets):
        return [target.id for target in targets]
    return None


def _inert(node: ast.stmt) -> bool:
    """A module docstring, or an ``if __name__ == "__main__":`` block: nothing that runs when the file is imported."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return True
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def function_digest(path: Path, function_name: str) -> str:
    """sha256 of what one function of the file depends on: its own code, the module-level functions, classes and
    variables it uses (followed transitively), every other statement run at import (imports above all), and the
    bytes of modules beside the file that it imports. Comments, layout and docstrings do not count, so editing
    another function leaves this one's digest unchanged. "missing" without the file; a file that does not parse
    gets its file digest prefixed "unparsed:"."""
    path = Path(path)
    try:
        source = path.read_bytes()
    except FileNotFoundError:
        return "missing"
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return "unparsed:" + hashlib.sha256(source).hexdigest()
    statements = [node for node in tree.body if not _inert(node)]
    defines = {index: _defined_names(node) for index, node in enumerate(statements)}
    wanted = {index for index, names in defines.items() if names is None or function_name in names}
    if not any(defines[index] and function_name in defines[index] for index in wanted):
        return "absent:" + function_name
    done: set[str] = set()
    while True:
        used = {node.id for index in wanted for node in ast.walk(statements[index]) if isinstance(node, ast.Name)}
        new = {index for index, names in defines.items() if names and set(names) & (used - done)} - wanted
        done |= used
        if not new:
            break
        wanted |= new
    digest = hashlib.sha256()
    for index in sorted(wanted):
        node = statements[index]
        digest.update(ast.dump(_without_docstrings(node), include_attributes=False).encode())
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] + ([alias.name for alias in node.names] if node.level else []))
            for module in modules:
                beside = path.parent / f"{module.split('.')[0]}.py"
                if module and beside.is_file():
                    digest.update(f"{beside.name}:{file_digest(beside)}".encode())
    return digest.hexdigest()


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
