"""Find a student's work where it really is: exercises/, Exercises/, the root, a "Download ZIP" folder, `rsa (1).py`.

Each module file is taken from the first place that holds a real attempt (not the unchanged stub); every choice
other than the expected ``exercises/<module>.py`` is written down as a note, and every file left out says why
(a symlink, too large). Notebooks are reported, never executed. Nothing here runs student code.
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grader.registry import EXERCISES
from grader.submission import REFLECTIONS_FILE

__all__ = ["Found", "discover", "stage_found", "is_stub", "MAX_FILE_BYTES", "MODULE_FILES", "OUTPUT_MARKER"]

MAX_FILE_BYTES = 1 << 20  # a larger .py file is not an exercise: left out, and said so
MODULE_FILES = tuple(dict.fromkeys(exercise.file_name for exercise in EXERCISES))  # rsa.py, pca.py, stimuli.py
OUTPUT_MARKER = ".grader-output"  # written into every batch output folder: never taken for a student
_FUNCTIONS = {file: {exercise.name for exercise in EXERCISES if exercise.file_name == file} for file in MODULE_FILES}
# "rsa (1).py", "rsa(2).py", "rsa-1.py", "rsa copy.py", "rsa - Copy.py": what browsers and file managers make
_RENAMED = re.compile(r"^(?P<stem>[A-Za-z_]+)(?:\s*\(\d+\)|\s*-\s*\d+|\s*(?:-\s*)?copy(?:\s*\d+)?)\.py$", re.IGNORECASE)


@dataclass
class Found:
    """Where each graded file of one student's folder was found (absolute paths), and what a person should know."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)  # "rsa.py" -> the file to grade as exercises/rsa.py
    reflections: Path | None = None
    notes: list[str] = field(default_factory=list)  # graded, but not from where they were expected
    skipped: list[str] = field(default_factory=list)  # files left out, with the reason
    notebooks: list[str] = field(default_factory=list)  # *.ipynb seen (never run)

    @property
    def status(self) -> str:
        """"graded" when there is anything to grade, else what was found where and what was expected."""
        if self.files:
            return "graded"
        expected = "expected exercises/" + ", exercises/".join(MODULE_FILES)
        if self.notebooks:
            return (f"not graded: only notebooks found ({', '.join(self.notebooks[:3])}); {expected} (notebooks are "
                    "not run: export the code as .py files)")
        if self.skipped:
            return f"not graded: every candidate file was left out ({'; '.join(self.skipped[:3])}); {expected}"
        return f"not graded: no exercise file found in {self.folder.name}/; {expected}"


def is_stub(path: Path) -> bool:
    """True when every exercise function the file defines still raises NotImplementedError (an untouched stub)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError, OSError):
        return False  # a file that does not parse is still the student's own work
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in _FUNCTIONS.get(
        path.name if path.name in _FUNCTIONS else _canonical(path.name) or "", set())]
    if not functions:
        return False

    def raises_not_implemented(function: ast.FunctionDef) -> bool:
        for node in ast.walk(function):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                    return True
        return False

    return all(raises_not_implemented(function) for function in functions)


def _canonical(name: str) -> str | None:
    """The module file a (possibly renamed) file stands for: "rsa (1).py" -> "rsa.py"; None when it is none."""
    if name in MODULE_FILES:
        return name
    if name.lower() in MODULE_FILES:
        return name.lower()
    match = _RENAMED.match(name)
    if match and f"{match.group('stem').lower()}.py" in MODULE_FILES:
        return f"{match.group('stem').lower()}.py"
    return None


def _usable(path: Path, relative: str, skipped: list[str]) -> bool:
    """A regular file within the size limit; anything else is recorded in ``skipped`` with the reason."""
    if path.is_symlink():
        skipped.append(f"{relative} skipped: a symbolic link (only regular files are graded)")
        return False
    if not path.is_file():
        return False
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        skipped.append(f"{relative} skipped: too large ({size / 1e6:.1f} MB; at most {MAX_FILE_BYTES / 1e6:.1f} MB)")
        return False
    return True


def _visible(folder: Path) -> list[Path]:
    try:
        return sorted(path for path in folder.iterdir() if not path.name.startswith((".", "__")))
    except OSError:
        return []


def _unwrap(folder: Path) -> tuple[Path, str]:
    """A GitHub "Download ZIP" folder holds one top folder (``repo-main/``) and nothing else: look inside it."""
    inside = _visible(folder)
    if len(inside) == 1 and inside[0].is_dir() and not inside[0].is_symlink() and inside[0].name.lower() != "exercises":
        return inside[0], f"{inside[0].name}/"
    return folder, ""


def _places(root: Path) -> list[tuple[Path, str]]:
    """(folder, how it is named in notes) in order of preference: exercises/, Exercises/ (any case), the root."""
    places = []
    for path in _visible(root):
        if path.is_dir() and not path.is_symlink() and path.name.lower() == "exercises":
            places.append((path, f"{path.name}/"))
    places.sort(key=lambda place: place[0].name != "exercises")  # the expected spelling first
    places.append((root, ""))
    return places


def discover(folder: Path) -> Found:
    """Where the exercise files and the reflections of the student folder ``folder`` are."""
    folder = Path(folder)
    found = Found(folder)
    root, prefix = _unwrap(folder)
    if prefix:
        found.notes.append(f"the work is inside one nested folder {prefix} (a downloaded ZIP?): graded from there")
    places = _places(root)
    for file_name in MODULE_FILES:
        candidates: list[tuple[Path, str]] = []
        for place, place_name in places:
            exact = [path for path in _visible(place) if path.name == file_name]
            renamed = [path for path in _visible(place) if path.name != file_name and _canonical(path.name) == file_name]
            for path in exact + renamed:
                if _usable(path, f"{prefix}{place_name}{path.name}", found.skipped):
                    candidates.append((path, f"{prefix}{place_name}{path.name}"))
        if not candidates:
            continue
        attempts = [candidate for candidate in candidates if not is_stub(candidate[0])]
        chosen, name = (attempts or candidates)[0]
        found.files[file_name] = chosen
        if name != f"exercises/{file_name}" and not (name == file_name and len(places) == 1 and not prefix):
            stub_note = "; exercises/" + file_name + " is still the unchanged stub" if (
                attempts and any(label == f"{prefix}exercises/{file_name}" for _, label in candidates)) else ""
            found.notes.append(f"graded {name} as exercises/{file_name}{stub_note}")
    for place, place_name in places + [(folder, "")]:
        candidate = place / REFLECTIONS_FILE
        if candidate.exists() or candidate.is_symlink():
            if _usable(candidate, f"{place_name}{REFLECTIONS_FILE}", found.skipped):
                found.reflections = candidate
                break
    if not found.files:
        for path in sorted(root.rglob("*.ipynb"))[:20]:
            if ".ipynb_checkpoints" not in path.parts:
                found.notebooks.append(path.relative_to(folder).as_posix())
    found.skipped = list(dict.fromkeys(found.skipped))
    return found


def stage_found(found: Found, destination: Path) -> Path:
    """Copy the found files into ``destination/exercises`` (+ ``destination/reflections.md``); returns that folder."""
    staged = Path(destination) / "exercises"
    staged.mkdir(parents=True, exist_ok=True)
    for file_name, path in found.files.items():
        shutil.copyfile(path, staged / file_name)
    if found.reflections is not None:
        shutil.copyfile(found.reflections, Path(destination) / REFLECTIONS_FILE)
    return staged
