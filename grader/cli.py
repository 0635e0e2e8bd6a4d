"""Command line: `python -m grader [grade] [options]` grades a submission and writes its reports (exit 0, 1 or 2).

Exit codes: 0 every graded exercise passes; 1 some exercise fails or is not attempted; 2 grading could not
happen (the reason is printed in one line, and every requested report is still written).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from grader.cases.case_sources import ReferenceSource
from grader.cases.fixtures import choose_source
from grader.classroom.commands import CLASSROOM_COMMANDS, add_pretrained_option, add_sandbox_option, check_sandbox
from grader.console import EXIT_CANNOT_GRADE, EXIT_FAILED, EXIT_PASSED, add_limit_options
from grader.console import progress as _progress
from grader.engine import grade, load_bank
from grader.errors import GradingError
from grader.registry import EXERCISES, select
from grader.reports import (
    error_report,
    github_annotations,
    gradescope_error,
    gradescope_results,
    in_github_actions,
    junit_error,
    junit_xml,
    neutralise,
    render_text,
    report_to_json,
    step_summary,
    write_atomic,
)
from grader.reports.text import summary_line
from grader.results import GradeReport
from grader.running.processes import keep_warm_for_grading, memory_limit_bytes

__all__ = ["main", "COMMANDS", "EXIT_PASSED", "EXIT_FAILED", "EXIT_CANNOT_GRADE"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grader", description="Grade a submission's exercises in isolated processes.",
        epilog=f"Commands: grade (the default, these options); {', '.join(CLASSROOM_COMMANDS)} (classroom tools: "
               "`python -m grader COMMAND --help`). Exit codes: 0 all graded exercises pass, 1 some fail or are "
               "not attempted, 2 grading could not happen.")
    parser.add_argument("--submission", type=Path, metavar="DIR",
                        help="folder with rsa.py, pca.py and/or stimuli.py (default: the lesson's exercises/)")
    parser.add_argument("--exercise", action="append", metavar="NAME", choices=[item.name for item in EXERCISES],
                        help="grade only this function (repeatable): " + ", ".join(item.name for item in EXERCISES))
    parser.add_argument("--format", choices=("text", "json"), default="text", help="what to print (default: text)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the JSON report here")
    parser.add_argument("--junit", type=Path, metavar="PATH", help="also write a JUnit XML report here")
    parser.add_argument("--gradescope", type=Path, metavar="PATH", help="also write Gradescope's results.json here")
    add_limit_options(parser)
    parser.add_argument("--jobs", type=int, metavar="N", help="child processes at once (default: up to 4)")
    parser.add_argument("--fixtures", type=Path, metavar="DIR",
                        help="grade from these fixtures (default: grader/fixtures/ when the reference solutions are "
                             "absent, as in a student release; else the reference solutions on the activation bank)")
    add_pretrained_option(parser)
    add_sandbox_option(parser, required=False)
    return parser


def _cannot_grade(reason: str, args, started: float) -> int:
    seconds = time.perf_counter() - started
    reason = " ".join(reason.split())
    for path, text in ((args.json, lambda: json.dumps(error_report(reason, seconds=seconds), indent=2)),
                       (args.junit, lambda: junit_error(reason)),
                       (args.gradescope, lambda: json.dumps(gradescope_error(reason, seconds), indent=2))):
        if path is not None:
            try:
                write_atomic(path, text() + "\n")
            except OSError as error:
                print(f"error: could not write {path}: {error}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(error_report(reason, seconds=seconds), indent=2))
    print(f"error: could not grade: {reason}", file=sys.stderr)
    if in_github_actions():  # on stderr when stdout must stay pure JSON
        print(f"::error title=Grading could not run::{reason.replace('%', '%25')}",
              file=sys.stderr if args.format == "json" else sys.stdout)
        _append_summary(f"## Grading\n\n**Grading could not run:** {html.escape(reason)}\n")
    return EXIT_CANNOT_GRADE


def _append_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(markdown)
        except OSError as error:
            print(f"error: could not append to the step summary {path}: {error}", file=sys.stderr)


def _write_reports(report: GradeReport, args) -> bool:
    """Written by this process alone, after every child is gone: anything a submission put there is replaced.

    Each report is attempted even if another could not be written; False if any failed.
    """
    writers = ((args.gradescope, lambda: json.dumps(gradescope_results(report, summary_line(report)), indent=2) + "\n"),
               (args.json, lambda: json.dumps(report_to_json(report), indent=2) + "\n"),
               (args.junit, lambda: junit_xml(report)))
    written = True
    for path, text in writers:
        if path is not None:
            try:
                write_atomic(path, text())
            except OSError as error:
                print(f"error: could not write {path}: {error}", file=sys.stderr)
                written = False
    return written


def _start_children(submission: Path, names: list[str] | None, memory_limit: int) -> None:
    """Start the grading children ahead of time: one per module to grade, and one for the torch cases."""
    modules = {exercise.module for exercise in select(names) if (submission / exercise.file_name).is_file()}
    if modules:
        keep_warm_for_grading(memory_limit=memory_limit, numpy_children=len(modules))


def grade_command(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        from lesson.config import Settings

        settings = Settings.from_env()
        submission = args.submission if args.submission is not None else settings.exercises_dir
        if not Path(submission).is_dir():
            raise GradingError(f"there is no submission folder at {submission}")
        check_sandbox(args)
        memory_limit = memory_limit_bytes(args.memory_limit)
        _start_children(Path(submission), args.exercise, memory_limit)  # they start up while the bank loads
        source = choose_source(args.fixtures)  # the one choice of this grading
        if source is None:
            source = ReferenceSource.for_bank(load_bank(settings, require_pretrained=args.require_pretrained,
                                                        progress=_progress))
        elif args.require_pretrained and source.provenance().get("weights", {}).get("kind") != "pretrained":
            raise GradingError(f"the fixtures in {source.folder} were not built on the pretrained AlexNet")
        report = grade(submission, args.exercise, settings=settings, time_limit=args.time_limit,
                       memory_limit=memory_limit, jobs=args.jobs, warm=False, keep_inputs=False, source=source)
    except GradingError as error:
        return _cannot_grade(str(error), args, started)
    except Exception as error:  # noqa: BLE001 (a grader bug: still exit 2 and write the reports)
        if os.environ.get("GRADER_DEBUG"):
            traceback.print_exc()
        return _cannot_grade(f"internal error in the grader ({type(error).__name__}: {error}); "
                             "set GRADER_DEBUG=1 for details", args, started)
    if not _write_reports(report, args):
        return EXIT_CANNOT_GRADE
    github = in_github_actions()
    if args.format == "json":
        print(json.dumps(report_to_json(report), indent=2))  # JSON strings escape newlines: no line can start a command
    else:
        files = ", ".join(name for name in report.submission if not name.startswith(".."))
        text = render_text(report, title=f"Grading {Path(submission).resolve()} ({files or 'no exercise files'})")
        print(neutralise(text) if github else text, end="")
    if github:
        print(github_annotations(report, submission), end="", file=sys.stderr if args.format == "json" else sys.stdout)
        _append_summary(step_summary(report))
    return EXIT_PASSED if report.all_passed else EXIT_FAILED


COMMANDS: dict[str, Callable[[list[str]], int]] = {"grade": grade_command}
COMMANDS.update(CLASSROOM_COMMANDS)  # the classroom subcommands, registered in grader/classroom/commands.py


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    return grade_command(argv)
