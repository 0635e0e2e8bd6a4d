"""The grader: runs a submission's exercise functions in isolation, compares them with the references, explains failures.

The names below load on first use, so that ``python -m grader`` can start its child processes (which take 1.5-2 s
to import torch) before this process spends 0.2 s importing the engine, numpy and the reports.
"""

from importlib import import_module

__all__ = ["grade", "prewarm", "load_bank", "GradingError", "EXERCISES", "CaseResult", "ExerciseResult",
           "GradeReport"]

_HOME = {"grade": "grader.engine", "prewarm": "grader.engine", "load_bank": "grader.engine",
         "GradingError": "grader.errors", "EXERCISES": "grader.registry", "CaseResult": "grader.results",
         "ExerciseResult": "grader.results", "GradeReport": "grader.results"}


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(import_module(_HOME[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'grader' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
