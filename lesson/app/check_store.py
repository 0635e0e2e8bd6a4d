"""The latest Check of each exercise, kept in the session and on disk, and whether it still holds for the code now.

A result is kept with the digest of what that function depends on (``student_code.function_digest``: its own
code and what it uses, not the rest of the file), in this session and in one JSON file per exercises folder in the
cache (``checks_path``), so a reload, a new tab or a restart shows the same results; editing another function of
the same file leaves it standing. Two tabs or apps storing at once keep each other's records (a file lock)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from lesson.app import state_keys
from lesson.app.bank_context import Context
from lesson.atomic import locked, write_atomic
from lesson.curriculum import Exercise
from lesson.student_code import file_digest, function_digest

if TYPE_CHECKING:
    from grader.results import ExerciseResult

__all__ = ["exercise_file", "checks_path", "CheckState", "digest_of", "state_of", "records", "store"]

_log = logging.getLogger("lesson.app")


def exercise_file(ctx: Context, exercise: Exercise) -> Path:
    return Path(ctx.settings.exercises_dir) / f"{exercise.module}.py"


@dataclass(frozen=True)
class CheckState:
    status: str  # a grader status, or "not checked" / "changed" (the function or what it uses changed since)
    result: ExerciseResult | None  # of the latest check, if any
    digest: str  # function_digest of the exercise now (its code and what it uses)

    @property
    def passed_now(self) -> bool:
        return self.status == "passed"


def checks_path(ctx: Context) -> Path:
    """Where the latest Check of each exercise is kept: one JSON file per exercises folder, in the cache."""
    folder = str(Path(ctx.settings.exercises_dir).resolve())
    return Path(ctx.settings.cache_dir) / "checks" / f"{hashlib.sha256(folder.encode()).hexdigest()[:16]}.json"


def _result_from(data: dict):
    from grader.results import CaseResult, ExerciseResult

    known = {field.name for field in fields(ExerciseResult)}
    cases = tuple(CaseResult(**case) for case in data.get("cases", ()))
    return ExerciseResult(**{**{key: value for key, value in data.items() if key in known}, "cases": cases})


def _stored(ctx: Context) -> dict:
    """exercise name -> (digest, ExerciseResult) from the checks file (empty when missing or unreadable)."""
    try:
        data = json.loads(checks_path(ctx).read_text(encoding="utf-8"))
        return {name: (entry["digest"], _result_from(entry["result"])) for name, entry in data.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ImportError) as error:
        if not isinstance(error, FileNotFoundError):
            _log.warning("ignoring the stored checks in %s: %s", checks_path(ctx), error)
        return {}


def store(ctx: Context, records: dict) -> None:
    """Merge these records into the checks file (a failure is logged: the session still has them)."""
    try:
        with locked(checks_path(ctx)):  # two tabs or apps checking at once: each keeps the other's records
            data = {name: {"digest": digest, "result": asdict(result)}
                    for name, (digest, result) in {**_stored(ctx), **records}.items()}
            write_atomic(checks_path(ctx), json.dumps(data, indent=1), mode=0o644)
    except (OSError, TypeError, ValueError) as error:
        _log.warning("could not keep the checks in %s: %s", checks_path(ctx), error)


def records(ctx: Context | None = None) -> dict:
    """exercise name -> (digest, result) of its latest check: this session's, first loaded from the disk."""
    if state_keys.CHECKS not in st.session_state:
        st.session_state[state_keys.CHECKS] = _stored(ctx) if ctx is not None else {}
    return st.session_state[state_keys.CHECKS]


@functools.lru_cache(maxsize=256)
def _function_digest(path: str, name: str, file_sha: str) -> str:
    return function_digest(Path(path), name)


def digest_of(ctx: Context, exercise: Exercise) -> str:
    path = exercise_file(ctx, exercise)
    return _function_digest(str(path), exercise.name, file_digest(path))


def state_of(ctx: Context, exercise: Exercise) -> CheckState:
    digest = digest_of(ctx, exercise)
    record = records(ctx).get(exercise.name)
    if record is None:
        return CheckState("not checked", None, digest)
    checked_digest, result = record
    if checked_digest != digest:
        return CheckState("changed", result, digest)
    status = result.status or ("passed" if result.passed else "failed" if result.attempted else "not attempted")
    return CheckState(status, result, digest)
