"""Judge what a child returned: each case compared and explained, each exercise scored and summarised for a student."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from grader.cases.case import Case
from grader.judging.compare import compare
from grader.judging.diagnosis import explain_failures
from grader.judging.hints import diagnose, diagnose_error, diagnose_returned_type
from grader.registry import Exercise
from grader.results import CaseResult, ExerciseResult
from grader.running.outcomes import CaseOutcome, TaskOutcome

__all__ = ["judge_exercise", "not_attempted", "credit_score"]

_HINTED_CASES = 6  # at most this many failed cases per exercise are diagnosed


def not_attempted(exercise: Exercise, why: str) -> ExerciseResult:
    return ExerciseResult(exercise.name, exercise.module, attempted=False, passed=False, score=0.0,
                          max_score=float(exercise.points), message=f"Not attempted yet: {why}",
                          status="not attempted")


def credit_score(exercise: Exercise, pairs: Sequence[tuple[Case, bool]]) -> float:
    """The registry's partial-credit rule: points x the shares of the case groups whose every case passes.

    ``pairs`` are (case, passed) for every case graded; torch-tensor cases are left out (not scored), and the
    shares are those of the groups present (all three in real grading).
    """
    groups: dict[str, bool] = {}
    for case, passed in pairs:
        if not case.tensor:
            groups[case.group] = groups.get(case.group, True) and passed
    total = sum(exercise.credit.get(group, 0.0) for group in groups)
    earned = sum(exercise.credit.get(group, 0.0) for group, passed in groups.items() if passed)
    return round(exercise.points * earned / total, 2) if total else 0.0


def _judge_case(exercise: Exercise, case: Case, outcome: CaseOutcome, diagnose_it: bool) -> tuple[CaseResult, list[str]]:
    """The case's result (its hint still empty) and the hints of every known mistake its output matches."""
    checks = f" This case checks: {case.about}." if case.about and not case.hidden else ""
    if outcome.status == "not_run":
        return CaseResult(case.name, False, "Not run: the exercise stopped before this case.", hidden=case.hidden,
                          ran=False), []
    if outcome.status == "raised":
        if outcome.memory:
            text = "Your function ran out of memory (MemoryError)."
        else:
            text = f"Your function raised {outcome.error or 'an exception'}."
        hints = diagnose_error(exercise.mistakes, outcome.traceback, tensor=case.tensor) if diagnose_it else []
        return CaseResult(case.name, False, f"{text}{checks}\n{outcome.traceback}".rstrip(), hidden=case.hidden), hints
    verdict = compare(exercise.output, outcome.output, case.expected, exercise.tolerance, hidden=case.hidden)
    if verdict.passed:
        return CaseResult(case.name, True, hidden=case.hidden), []
    hints = diagnose_returned_type(outcome.output) if outcome.output is not None else []
    if diagnose_it and not hints:
        hints = diagnose(exercise.mistakes, case.signatures, outcome.output, exercise.output, exercise.tolerance)
    expected = f"Expected {exercise.returns}: " if verdict.details.get("problem") in ("type", "shape") else ""
    return CaseResult(case.name, False, f"{expected}{verdict.message}{checks}", hidden=case.hidden), hints


def _without_failed_torch_runs(runs: Sequence[tuple[Sequence[Case], TaskOutcome]],
                               label: str) -> tuple[list[tuple[Sequence[Case], TaskOutcome]], str]:
    """The runs to judge, and a sentence for a torch run that failed before the student's function was called.

    The same file imported in the numpy run: when the torch process then cannot import it (or stops while
    importing), the grading machine failed, not the student's code (e.g. a library that could not be loaded).
    Those unscored cases are left out, never reported as the student's failure; the sentence says why.
    """
    main = runs[0][1]
    if main.status != "ran":
        return list(runs), ""
    kept, reasons = [runs[0]], []
    for cases, run in runs[1:]:
        machine = run.status in ("import_error", "missing") or (run.status in ("crashed", "timeout") and run.during_import)
        if not machine:
            kept.append((cases, run))
            continue
        said = [line for line in run.detail.strip().splitlines() if line.strip()]
        reasons.append(said[-1].strip() if said else run.status)
    if not reasons:
        return kept, ""
    return kept, (f"The torch-tensor check did not run: the grader's torch process could not import {label} "
                  f"({reasons[0][:300]}), though the same file ran in its numpy process. That is a problem of the "
                  "grading machine, not of your code; the check is not scored.")


def _describe_counts(cases: Sequence[Case]) -> str:
    counts = Counter(case.group for case in cases)
    torch_cases = sum(case.tensor for case in cases)
    parts = [f"{counts['edge'] - torch_cases} edge cases" if counts["edge"] - torch_cases else "",
             f"{torch_cases} with a torch tensor" if torch_cases else "",
             f"{counts['random']} random" if counts["random"] else "",
             f"{counts['bank']} on the activation bank" if counts["bank"] else ""]
    return ", ".join(part for part in parts if part)


def judge_exercise(exercise: Exercise, label: str, runs: Sequence[tuple[Sequence[Case], TaskOutcome]]) -> ExerciseResult:
    """Turn one exercise's outcomes (its numpy run and, if any, its torch run) into a result.

    ``label`` names the file for people, e.g. "exercises/rsa.py".
    """
    main_cases, main = runs[0]
    runs, unrun = _without_failed_torch_runs(runs, label)
    output = "\n".join(outcome.output for _, outcome in runs if outcome.output.strip())
    seconds = max((outcome.seconds for _, outcome in runs), default=0.0)  # the runs share the clock: in parallel
    base = dict(name=exercise.name, module=exercise.module, max_score=float(exercise.points), output=output,
                seconds=round(seconds, 3))
    if main.status == "missing":
        return not_attempted(exercise, f"{label} has no function {exercise.name}: define it with the "
                                              "signature in the lesson.")
    if main.status == "import_error":
        return ExerciseResult(**base, attempted=True, passed=False, score=0.0, status="error",
                              message=f"{label} could not be imported, so {exercise.name} could not be checked. "
                                      f"Fix this first:\n{main.detail}".rstrip())
    if main.cases and main.cases[0].not_implemented:
        return not_attempted(exercise, f"implement {exercise.name} in {label} (it still raises "
                                              "NotImplementedError).")
    pairs = [(case, outcome) for cases, run in runs for case, outcome in zip(cases, run.cases)
             if outcome.status != "skipped"]
    judged, hinted = [], 0
    for case, outcome in pairs:
        result, candidates = _judge_case(exercise, case, outcome, diagnose_it=hinted < _HINTED_CASES)
        hinted += not result.passed
        judged.append((result, candidates))
    # The exercise's hint: the known mistake that explains the most failing cases (catalogue order breaks ties).
    votes = Counter(candidate for _, candidates in judged for candidate in candidates)
    hint = max(votes, key=lambda candidate: votes[candidate]) if votes else ""
    results = [replace(result, hint=hint if hint in candidates else (candidates[0] if candidates else ""))
               for result, candidates in judged]
    failed = [result for result in results if not result.passed]
    total = len(results)
    statuses = [outcome.status for _, outcome in runs]
    if not failed and all(status == "ran" for status in statuses):
        message = f"All {total} cases pass ({_describe_counts([case for case, _ in pairs])})."
        return ExerciseResult(**base, attempted=True, passed=True, score=float(exercise.points), status="passed",
                              message=f"{message} {unrun}".rstrip(), cases=tuple(results))
    score = credit_score(exercise, [(case, result.passed) for (case, _), result in zip(pairs, results)])
    torch_only = all(case.tensor for (case, _), result in zip(pairs, results) if not result.passed)
    # the score itself is said once, by the report; here only how partial credit works
    credit = (" Partial credit: each group of cases (edge, random and bank) earns its share of the score when all "
              "its cases pass; torch-tensor checks are not scored." if failed else "")
    if failed and torch_only:
        credit = (" The torch-tensor check is not scored, but fix it so that your function accepts tensors too "
                  "(the contract says numpy arrays or torch tensors).")
    stopped = next(((cases, run) for cases, run in runs if run.status in ("timeout", "crashed")), None)
    if any(outcome.memory for _, outcome in pairs):
        status = "memory"
    elif stopped is not None:
        status = "timeout" if stopped[1].status == "timeout" else "error"
    else:
        status = "failed"
    if stopped is not None and stopped[1].during_import:
        run = stopped[1]
        if run.status == "timeout":
            message = (f"Importing {label} did not finish: {run.detail}. Is there a loop or heavy work at the top level "
                       "of the file? Keep it to imports and definitions.")
        else:
            message = f"Importing {label} stopped the grading process: {run.detail}."
    elif stopped is not None:
        cases, run = stopped
        running = next((case.name for case, outcome in zip(cases, run.cases) if outcome.status == "not_run"), "")
        finished = sum(result.ran for result in results)  # over every run of the exercise, as the cases are listed
        advice = (" Look for an infinite loop, or a Python loop over units or pixels that one numpy operation could "
                  "do." if run.status == "timeout" else "")
        message = (f"{run.detail[0].upper()}{run.detail[1:]} while running the case '{running}': {finished} of "
                   f"{total} {'case' if total == 1 else 'cases'} had finished before it.{advice}")
    else:
        first = failed[0]
        message = f"{len(failed)} of {total} cases fail. First: {first.name}: {first.message.splitlines()[0]}"
    if status == "memory":
        message += (" Your code ran out of memory: is it building a units x units (or pixels x pixels) array? "
                    "Rows are images.")
    if unrun:
        message += f" {unrun}"
    diagnosis = "" if hint else explain_failures(exercise, [(case, outcome, result.passed)
                                                            for (case, outcome), result in zip(pairs, results)])
    return ExerciseResult(**base, attempted=True, passed=False, score=score, status=status,
                          message=message + credit, hint=hint, diagnosis=diagnosis, cases=tuple(results))
