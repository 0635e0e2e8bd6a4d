"""What a child left behind, read back without trusting it: each case's output or error, each exercise's status."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.judging.compare import Output

__all__ = ["CaseOutcome", "TaskOutcome", "collect", "read_text", "explain_warnings"]

_MAX_SHOWN_OUTPUT = 6000  # characters of the student's own output kept per exercise
_SHOWN_LINES = 40  # lines of it: the first and last 20
_LINE_CHARACTERS = 300  # of each line shown
_CHUNK = 1 << 20
_OUTPUT_FILE = re.compile(r"^e\d+\.c\d+\.o\d+\.npy$")


@dataclass
class CaseOutcome:
    status: str = "not_run"  # "returned" | "raised" | "skipped" (tensor case without torch) | "not_run"
    output: Output | None = None
    error: str = ""  # the exception's class name
    traceback: str = ""  # the student's frames only
    not_implemented: bool = False
    memory: bool = False
    seconds: float = 0.0


@dataclass
class TaskOutcome:
    status: str  # "ran" | "import_error" | "missing" | "timeout" | "crashed"
    cases: list[CaseOutcome] = field(default_factory=list)
    output: str = ""  # what the student's code printed
    seconds: float = 0.0
    detail: str = ""  # the import traceback, or what stopped the process
    during_import: bool = False  # the process stopped while importing the submission's module


def read_text(path: Path, limit: int = _MAX_SHOWN_OUTPUT, lines: int = _SHOWN_LINES) -> str:
    """A text file; when longer than ``lines`` lines or ``limit`` characters, its first and last lines with a note
    of how many were cut between them. Reads only the two ends of a big file (a function that prints 200,000
    lines leaves a file of megabytes)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            if size <= limit:
                text = handle.read().decode("utf-8", "replace")
                if text.count("\n") <= lines:
                    return text
                head_bytes, tail_bytes, middle_lines = text.encode(), b"", None
            else:
                head_bytes = handle.read(limit // 2)
                middle_lines = 0
                handle.seek(size - limit // 2)
                tail_bytes = handle.read()
                handle.seek(limit // 2)
                for _ in range(size // _CHUNK + 1):  # newlines between the two ends, counted without keeping them
                    chunk = handle.read(min(_CHUNK, size - limit // 2 - handle.tell()))
                    if not chunk:
                        break
                    middle_lines += chunk.count(b"\n")
        return _first_and_last(head_bytes, tail_bytes, middle_lines, lines)
    except OSError:
        return ""


def _first_and_last(head: bytes, tail: bytes, middle_lines: int | None, keep: int) -> str:
    """The first and last ``keep // 2`` lines of head + (middle) + tail, and how many lines were left out."""
    half = keep // 2
    if middle_lines is None:  # the whole text is in ``head``
        all_lines = head.decode("utf-8", "replace").splitlines()
        first, last, cut = all_lines[:half], all_lines[-half:], len(all_lines) - 2 * half
    else:
        head_lines = head.decode("utf-8", "replace").split("\n")
        tail_lines = tail.decode("utf-8", "replace").split("\n")
        first, last = head_lines[:half], [line for line in tail_lines[-half - 1:] if line][-half:]
        n_lines = head.count(b"\n") + middle_lines + tail.count(b"\n") + (not tail.endswith(b"\n"))
        cut = n_lines - len(first) - len(last)
    first = [line[:_LINE_CHARACTERS] for line in first]
    last = [line[:_LINE_CHARACTERS] for line in last]
    note = (f"[... {cut:,} more lines cut here: only the first and last {half} are kept ...]" if cut > 0
            else "[... very long lines cut here ...]")
    return "\n".join([*first, note, *last]) + "\n"


# What numpy (and scipy) print when a result is undefined: a warning, not an error, and expected on some cases.
_UNDEFINED_WARNINGS = re.compile(r"RuntimeWarning: (invalid value encountered|divide by zero encountered|Mean of "
                                 r"empty slice|Degrees of freedom <= 0)|ConstantInputWarning")


def explain_warnings(output: str) -> str:
    """A sentence for a student when ``output`` holds numpy's warnings about undefined values, else ''.

    np.corrcoef on a constant row divides 0 by 0 and warns "invalid value encountered in divide": some cases
    hold such a row on purpose (the correct result has NaN there), so the warning is not the student's mistake.
    """
    if not _UNDEFINED_WARNINGS.search(output or ""):
        return ""
    return ("The warnings above come from numpy, not from a mistake of yours: some cases contain a row that is "
            "constant (an image to which a layer responds with the same value in every unit), and its correlation "
            "is undefined, 0 divided by 0. numpy then returns NaN and prints a RuntimeWarning; the correct result "
            "has NaN there too. If your function passes, you can ignore them (or silence them with "
            "`with np.errstate(invalid='ignore', divide='ignore'):`).")


def _read_record(path: Path) -> dict | None:
    try:
        if path.stat().st_size > 1 << 20:
            return None
        record = json.loads(path.read_bytes())
        return record if isinstance(record, dict) else None
    except (OSError, ValueError):
        return None


def _load_output(description, results: Path, depth: int = 0) -> Output:
    """Turn the child's description of a returned value into an Output, trusting nothing it says."""
    if not isinstance(description, dict):
        return Output("rejected", "object", why="an unreadable result")
    kind, type_name = description.get("kind"), str(description.get("type", "object"))[:200]
    if kind in ("array", "number"):
        name = str(description.get("file", ""))
        if not _OUTPUT_FILE.match(name):
            return Output("rejected", type_name, why="an unreadable result")
        try:
            array = np.load(results / name, allow_pickle=False)
        except Exception:  # noqa: BLE001 (missing, truncated or tampered file)
            return Output("rejected", type_name, why="an unreadable result")
        if type(array) is not np.ndarray or array.dtype.kind not in "iuf" or (kind == "number" and array.ndim):
            return Output("rejected", type_name, why=f"a value of dtype {array.dtype} (not numbers)")
        return Output(kind, type_name, array)
    if kind == "sequence" and depth == 0 and isinstance(description.get("items"), list):
        items = tuple(_load_output(item, results, 1) for item in description["items"][:3])
        return Output("sequence", type_name, items=items)
    shape = description.get("shape")
    shape = tuple(int(n) for n in shape) if isinstance(shape, list) and all(isinstance(n, int) for n in shape) else None
    why = str(description.get("why") or f"a {type_name}")[:300]
    return Output("rejected", type_name, why=why, shape=shape)


def collect(tasks: list, results: Path, stopped_at: int | None, reason: str) -> list[TaskOutcome | None]:
    """Each task's outcome from the files in ``results``; None for tasks the child did not reach."""
    outcomes: list[TaskOutcome | None] = []
    import_failure: TaskOutcome | None = None  # the module could not even be imported: same for its other tasks
    for index, task in enumerate(tasks):
        stem = results / f"e{index}"
        if stopped_at is not None and index > stopped_at:
            same_module = import_failure is not None and task.module == tasks[stopped_at].module
            outcomes.append(TaskOutcome(import_failure.status, [CaseOutcome() for _ in task.cases],
                                        detail=import_failure.detail, during_import=True) if same_module else None)
            continue
        cases = []
        for case_index in range(len(task.cases)):
            record = _read_record(results / f"e{index}.c{case_index}.json") or {}
            status = record.get("status")
            if status == "returned":
                cases.append(CaseOutcome("returned", _load_output(record.get("value"), results),
                                         seconds=_number(record.get("seconds"))))
            elif status == "raised":
                cases.append(CaseOutcome("raised", error=str(record.get("error", ""))[:200],
                                         traceback=str(record.get("traceback", ""))[:8000],
                                         not_implemented=record.get("not_implemented") is True,
                                         memory=record.get("memory") is True, seconds=_number(record.get("seconds"))))
            else:
                cases.append(CaseOutcome("skipped" if status == "skipped" else "not_run"))
        seconds = _elapsed(stem)
        output = read_text(Path(f"{stem}.out"))
        imported = _read_record(Path(f"{stem}.import.json"))
        if imported is not None and imported.get("status") in ("import_error", "missing"):
            detail = str(imported.get("traceback", ""))[:8000]
            outcomes.append(TaskOutcome(imported["status"], cases, output, seconds, detail))
        elif index == stopped_at:
            status = "timeout" if reason.startswith("stopped after the time limit") else "crashed"
            importing = not Path(f"{stem}.imported").exists()
            outcomes.append(TaskOutcome(status, cases, output, seconds, reason, during_import=importing))
            if importing:
                import_failure = outcomes[-1]
        else:
            outcomes.append(TaskOutcome("ran", cases, output, seconds))
    return outcomes


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _elapsed(stem: Path) -> float:
    try:
        start = Path(f"{stem}.start").stat().st_mtime
    except OSError:
        return 0.0
    try:
        end = Path(f"{stem}.done").stat().st_mtime
    except OSError:
        end = time.time()
    return max(0.0, end - start)
