"""The grading engine: plan the runs, execute them in isolated children in parallel, judge them, assemble the report."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.cases.case_sources import GROUPS, CaseSource, ReferenceSource, single_threaded_blas
from grader.cases.fixtures import choose_source
from grader.errors import GradingError
from grader.judging.verdicts import judge_exercise, not_attempted
from grader.registry import Exercise, select
from grader.results import ExerciseResult, GradeReport
from grader.running.bubblewrap import isolation
from grader.running.inputs import discard_inputs
from grader.running.processes import Child, keep_warm, keep_warm_for_grading, take_child, torch_installed
from grader.running.sandbox import DEFAULT_MEMORY_LIMIT, DEFAULT_TIME_LIMIT, Task, TaskOutcome, run_tasks
from grader.submission import grader_fingerprint, reflections_answered, reflections_problem, submission_hashes

__all__ = ["grade", "prewarm", "load_bank"]

_PRELOAD = ("scipy.stats",)  # what submissions most often import besides numpy (rankdata, spearmanr)


@dataclass
class _Run:
    """The exercises one child runs: all of one module's (numpy inputs), or every torch-tensor case."""

    exercises: list[Exercise]
    torch: bool = False


def load_bank(settings, *, require_pretrained: bool = False, progress=None):
    """The activation bank for ``settings`` (built if missing), or GradingError saying why there is none."""
    try:
        from lesson.data.prepare import prepare_bank

        bank, _ = prepare_bank(settings, require_pretrained=require_pretrained,
                               require_lesson_images=require_pretrained, progress=progress)
        return bank
    except Exception as error:  # noqa: BLE001 (any reason: the CLI reports it in one line and exits 2)
        raise GradingError(f"no activation bank could be loaded or built: {error}") from error


def grade(submission_dir: Path | None = None, exercises: Sequence[str] | None = None, *, bank=None, settings=None,
          time_limit: float | None = None, memory_limit: int | None = None, source: CaseSource | None = None,
          jobs: int | None = None, warm: bool = True, keep_inputs: bool = True, warm_torch: bool = True) -> GradeReport:
    """Grade a submission folder (default: ``settings.exercises_dir``) and return the report.

    Parameters
    ----------
    submission_dir : folder holding some or all of rsa.py, pca.py, stimuli.py (a missing file or function
        is "not attempted"), and optionally reflections.md (else the one in its parent folder is read).
    exercises : function names to grade (default: all, in lesson order).
    bank : an activation bank already loaded (default: the one ``settings`` selects, built if missing).
    settings : ``lesson.config.Settings`` (default: ``Settings.from_env()``).
    time_limit : seconds per exercise before its process is killed (default 60).
    memory_limit : bytes of memory (heap and arrays) per child process (default 4 GiB).
    source : where cases and expected outputs come from (default: the reference solutions on ``bank``; where they
        are absent, as in a student release, the fixtures in ``grader/fixtures/``: see ``grader/fixtures.py``).
    jobs : child processes running at the same time (default: one per run, at most 4).
    warm : after grading, keep one idle child of each kind started, so that the next call (the app's next
        Check) does not wait for Python, numpy and torch to start.
    warm_torch : with ``warm``, keep a torch child too (about 0.5 GB resident); False keeps only numpy ones (the
        app: its torch child then starts at the next Check, beside the numpy run).
    keep_inputs : keep the case input files for the next grading in this process. False only when no other
        grading runs or follows in this process (the CLI): each run's files are then deleted as soon as that run
        ends, while the slowest one still goes on, instead of at exit.

    Raises GradingError when grading cannot happen at all; a submission's own failures never raise.
    """
    started = time.perf_counter()
    source = source or choose_source()  # chosen once per grading: fixtures, or None for the reference solutions
    if settings is None and (submission_dir is None or (source is None and bank is None)):
        from lesson.config import Settings

        settings = Settings.from_env()
    folder = Path(submission_dir if submission_dir is not None else settings.exercises_dir).expanduser().resolve()
    try:
        selected = select(exercises)
    except KeyError as error:
        raise GradingError(error.args[0]) from None
    if not folder.is_dir():
        raise GradingError(f"there is no submission folder at {folder}")
    limit = float(time_limit or DEFAULT_TIME_LIMIT)
    memory = int(memory_limit or DEFAULT_MEMORY_LIMIT)

    results: dict[str, ExerciseResult] = {}
    modules: dict[str, list[Exercise]] = {}
    for exercise in selected:
        if (folder / exercise.file_name).is_file():
            modules.setdefault(exercise.module, []).append(exercise)
        else:
            results[exercise.name] = not_attempted(exercise, f"{_label(folder, exercise)} does not exist: create it "
                                                             f"with a function {exercise.name} (see {exercise.taught_on}).")
    runs = [_Run(members) for members in modules.values()]
    if modules and torch_installed():  # its tasks: the exercises with tensor cases
        runs.insert(0, _Run([exercise for members in modules.values() for exercise in members], torch=True))
    # The children start now (Python, numpy, torch) while this process loads the bank and builds the cases.
    children = [take_child(torch=run.torch, memory_limit=memory) for run in runs]
    try:
        if source is None:
            source = ReferenceSource.for_bank(bank if bank is not None else load_bank(settings))
        workers = max(1, min(len(runs), jobs or 4))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grader") as pool:
            futures = [pool.submit(_execute, run, child, source, folder, limit, keep_inputs=keep_inputs)
                       for run, child in zip(runs, children)]
            outcomes = [future.result() for future in futures]
    finally:
        for child in children:
            child.discard()  # no-op for the used ones; stops those a failure left unused
    if warm:
        for kind in {run.torch for run in runs if warm_torch or not run.torch}:
            keep_warm(torch=kind, memory_limit=memory, preload=_PRELOAD)

    with single_threaded_blas:  # comparisons and hints: small products, far faster on one BLAS thread
        for exercise in selected:
            if exercise.name in results:
                continue
            exercise_runs = [run_outcomes[exercise.name] for run, run_outcomes in zip(runs, outcomes)
                             if exercise.name in run_outcomes and not run.torch]
            exercise_runs += [run_outcomes[exercise.name] for run, run_outcomes in zip(runs, outcomes)
                              if exercise.name in run_outcomes and run.torch]
            results[exercise.name] = judge_exercise(exercise, _label(folder, exercise), exercise_runs)

    graded = tuple(results[exercise.name] for exercise in selected)
    return GradeReport(score=round(sum(result.score for result in graded), 2),
                       max_score=float(sum(result.max_score for result in graded)), exercises=graded,
                       provenance=source.provenance(),
                       submission=submission_hashes(folder, [exercise.file_name for exercise in selected]),
                       reflections=reflections_answered(folder), reflections_problem=reflections_problem(folder),
                       grader=grader_fingerprint(), seconds=round(time.perf_counter() - started, 3),
                       isolation=isolation().description)


def prewarm(bank=None, *, memory_limit: int | None = None, source: CaseSource | None = None,
            torch: bool = True) -> threading.Thread | None:
    """Get ready for the first ``grade`` call without waiting for it: start one idle child of each kind, and
    (given a bank or a source) build every case and write its inputs in a background thread.

    For the app: call once when the bank is loaded, so that even the first Check answers quickly. Returns the
    background thread (None when there is nothing to build); safe to call more than once.
    """
    memory = int(memory_limit or DEFAULT_MEMORY_LIMIT)
    if torch:  # False: numpy children only (the app keeps under 1 GB; see ``grade``'s warm_torch)
        keep_warm_for_grading(memory_limit=memory, preload=_PRELOAD)
    else:
        keep_warm(torch=False, memory_limit=memory, preload=_PRELOAD)
    source = source or choose_source()
    if source is None and bank is None:
        return None
    source = source or ReferenceSource.for_bank(bank)

    def build() -> None:
        from grader.registry import EXERCISES
        from grader.running.inputs import encode_case

        with single_threaded_blas:
            for exercise in EXERCISES:
                for case in source.cases(exercise):
                    encode_case(case)

    thread = threading.Thread(target=build, name="grader-prewarm", daemon=True)
    thread.start()
    return thread


def _label(folder: Path, exercise: Exercise) -> str:
    return f"{folder.name}/{exercise.file_name}"


def _execute(run: _Run, child: Child, source: CaseSource, folder: Path, limit: float,
             keep_inputs: bool = True) -> dict[str, tuple[list, TaskOutcome]]:
    """Build the run's cases, run them in ``child`` (and successors after a timeout or crash)."""
    tasks = []
    for exercise in run.exercises:
        cases = [case for case in source.cases(exercise, ("edge",) if run.torch else GROUPS) if case.tensor == run.torch]
        if cases:
            tasks.append(Task(exercise.name, exercise.module, folder / exercise.file_name, exercise.name, cases))
    outcomes = run_tasks(tasks, submission_dir=folder, time_limit=limit, memory_limit=child.memory_limit,
                         torch=run.torch, first_child=child)
    if not keep_inputs:
        discard_inputs(case for task in tasks for case in task.cases)
    return {task.name: (list(task.cases), outcomes[index]) for index, task in enumerate(tasks)}
