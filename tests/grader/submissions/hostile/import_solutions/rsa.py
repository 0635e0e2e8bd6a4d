"""Hostile: tries every way to reach the reference solutions (or the grader) and use them."""

import importlib
import sys
from pathlib import Path

import numpy as np

_FOLDERS = Path(__file__).resolve().parents
REPOSITORY = _FOLDERS[5] if len(_FOLDERS) > 5 else Path("/")  # in the sandbox, graded from a copy elsewhere


def _attempts():
    yield "import solutions", lambda: importlib.import_module("solutions").get_similarity_matrix
    yield "import solutions.rsa", lambda: importlib.import_module("solutions.rsa").get_similarity_matrix
    yield "import grader", lambda: importlib.import_module("grader").grade
    yield "import lesson.data.bank", lambda: importlib.import_module("lesson.data.bank")

    def with_path():
        sys.path.insert(0, str(REPOSITORY))
        sys.meta_path[:] = [finder for finder in sys.meta_path if "Blocker" not in repr(finder)]
        importlib.invalidate_caches()
        return importlib.import_module("solutions.rsa").get_similarity_matrix

    yield "sys.path + meta_path surgery", with_path

    def by_file():
        namespace = {}
        source = (REPOSITORY / "solutions" / "rsa.py").read_text()
        exec(compile(source.replace("from solutions._validate", "from _validate_missing"), "rsa", "exec"), namespace)
        return namespace["get_similarity_matrix"]

    yield "read solutions/rsa.py", by_file


def get_similarity_matrix(activations):
    for name, attempt in _attempts():
        try:
            reference = attempt()
        except BaseException as error:  # noqa: BLE001
            print(f"{name}: refused ({type(error).__name__}: {error})")
            continue
        print(f"{name}: WORKED")
        if callable(reference):
            return reference(activations)
    return np.zeros((len(activations), len(activations)))
