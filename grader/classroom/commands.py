"""The classroom subcommands of `python -m grader`: release, gradescope, batch, instructor, reflections (grader/cli.py)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from grader.classroom.class_outputs import add_batch_options
from grader.console import EXIT_CANNOT_GRADE, EXIT_FAILED, EXIT_PASSED, add_limit_options
from grader.console import progress as _progress
from grader.errors import GradingError
from grader.running.processes import memory_limit_bytes

__all__ = ["CLASSROOM_COMMANDS", "add_sandbox_option", "check_sandbox"]


def add_sandbox_option(parser, *, required: bool) -> None:
    """``--require-sandbox`` (and, where it is the default, ``--no-require-sandbox``): see grader/running/bubblewrap.py."""
    parser.add_argument("--require-sandbox", action=argparse.BooleanOptionalAction if required else "store_true",
                        default=required,
                        help="refuse to grade (exit 2) unless every child runs in the bubblewrap sandbox"
                             + (" (the default here; --no-require-sandbox grades with process isolation only "
                                "where the sandbox cannot start, and the reports say so)" if required else ""))


def check_sandbox(args) -> None:
    """GradingError when the sandbox is required but cannot start here (the message says how to get it)."""
    from grader.running.bubblewrap import isolation, require_sandbox_message

    found = isolation()
    if args.require_sandbox and not found.sandboxed:
        raise GradingError(require_sandbox_message(found))


def _settings():
    from lesson.config import Settings

    return Settings.from_env()


def _bank(args):
    from grader.engine import load_bank

    return load_bank(_settings(), require_pretrained=getattr(args, "require_pretrained", False), progress=_progress)


def _source(args):
    """Fixtures (given, or those of a release), else the reference solutions on the bank."""
    from grader.cases.case_sources import ReferenceSource
    from grader.cases.fixtures import choose_source

    source = choose_source(args.fixtures)
    return source if source is not None else ReferenceSource.for_bank(_bank(args))


def _fixtures_folder(args, scratch: Path) -> Path:
    """Fixtures to ship: --fixtures, else those of a release, else built now from the bank into ``scratch``."""
    from grader.cases.fixtures import DEFAULT_FIXTURES_DIR, MANIFEST_FILE
    from lesson.references import references_available

    if args.fixtures is not None:
        return args.fixtures
    if not references_available() and (DEFAULT_FIXTURES_DIR / MANIFEST_FILE).is_file():
        return DEFAULT_FIXTURES_DIR
    from grader.classroom.build import build_fixtures

    build_fixtures(_bank(args), scratch, settings=_settings())
    return scratch


def _run(body) -> int:
    try:
        return body()
    except GradingError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_CANNOT_GRADE
    except Exception as error:  # noqa: BLE001 (a bug: one line, exit 2)
        if os.environ.get("GRADER_DEBUG"):
            traceback.print_exc()
        print(f"error: internal error ({type(error).__name__}: {error}); set GRADER_DEBUG=1 for details", file=sys.stderr)
        return EXIT_CANNOT_GRADE


def _fixtures_option(parser) -> None:
    parser.add_argument("--fixtures", type=Path, metavar="DIR",
                        help="grading fixtures to use (default: built from the activation bank with the reference "
                             "solutions; in a release, grader/fixtures/)")


def release_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader release",
                                     description="Write a student repository: no solutions, grading from fixtures.")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    _fixtures_option(parser)
    parser.add_argument("--force", action="store_true", help="replace a release written earlier into OUT_DIR")
    parser.add_argument("--require-pretrained", action="store_true",
                        help="build the fixtures on the pretrained AlexNet and the lesson's images only (exit 2 otherwise)")
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.release import build_release

        started = time.perf_counter()
        bank = None if args.fixtures is not None else _bank(args)
        record = build_release(args.out_dir, fixtures_dir=args.fixtures, bank=bank, settings=_settings(),
                               force=args.force, progress=_progress)
        print(f"Wrote a student release to {args.out_dir} ({record['files']} files; fixtures "
              f"{record['fixtures']['bytes'] / 1e6:.1f} MB, sha256 {record['fixtures']['sha256'][:16]}...; "
              f"{time.perf_counter() - started:.1f} s)")
        return EXIT_PASSED

    return _run(body)


def gradescope_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader gradescope",
                                     description="Build a Gradescope autograder archive (setup.sh, run_autograder).")
    parser.add_argument("out_zip", type=Path, metavar="OUT.zip")
    _fixtures_option(parser)
    parser.add_argument("--require-pretrained", action="store_true")
    parser.add_argument("--visibility", default="visible",
                        choices=("visible", "hidden", "after_due_date", "after_published"),
                        help="when students see their results (default: %(default)s)")
    parser.add_argument("--no-reflections", action="store_true",
                        help="do not show the reflections as a part graded by hand")
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.gradescope import build_gradescope

        with tempfile.TemporaryDirectory(prefix="grader-fixtures-") as scratch:
            names = build_gradescope(args.out_zip, _fixtures_folder(args, Path(scratch)), visibility=args.visibility,
                                     reflections=not args.no_reflections)
        print(f"Wrote {args.out_zip} ({len(names)} files): upload it as the autograder of a Gradescope assignment.")
        return EXIT_PASSED

    return _run(body)


def batch_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader batch",
                                     description="Grade every sub-folder (one per student); write gradebook.csv, and "
                                                 "a report.json and feedback.md per student.")
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--jobs", type=int, metavar="N", help="students graded at once (default: the number of cores)")
    add_limit_options(parser)
    _fixtures_option(parser)
    add_sandbox_option(parser, required=True)
    add_batch_options(parser)
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.batch import grade_batch
        from grader.classroom.class_outputs import ClassOutputs

        if not args.submissions.is_dir():
            raise GradingError(f"there is no folder {args.submissions}")
        check_sandbox(args)
        outputs = ClassOutputs.from_args(args)  # reads the roster and scores first: a typo fails before grading
        if args.fixtures is None:
            _bank(args)  # built once here (each student's worker then loads it)
        started = time.perf_counter()
        result = grade_batch(args.submissions, args.out, fixtures=args.fixtures, jobs=args.jobs,
                             time_limit=args.time_limit, memory_limit=memory_limit_bytes(args.memory_limit),
                             submission_time_limit=args.submission_time_limit, deadline=args.deadline,
                             late_penalty=args.late_penalty, resume=args.resume, progress=_progress,
                             gradebook=outputs.write)
        return outputs.summarise(result, time.perf_counter() - started)

    return _run(body)


def instructor_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader instructor",
                                     description="Grade a student repository with this grader and its fixtures, "
                                                 "reading only exercises/*.py and reflections.md from it.")
    parser.add_argument("student_repo", type=Path, metavar="STUDENT_REPO")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write report.json and junit.xml here")
    add_limit_options(parser, memory=False)
    _fixtures_option(parser)
    add_sandbox_option(parser, required=True)
    args = parser.parse_args(argv)

    def body() -> int:
        import shutil

        from grader.classroom.discovery import discover, stage_found
        from grader.engine import grade
        from grader.reports import junit_xml, render_text, report_to_json, write_atomic

        if not args.student_repo.is_dir():
            raise GradingError(f"there is no folder {args.student_repo}")
        check_sandbox(args)
        source = _source(args)
        found = discover(args.student_repo)  # exercises/, Exercises/, the root, a nested folder, "rsa (1).py"
        for line in [f"Note: {note}" for note in found.notes] + [f"Left out: {item}" for item in found.skipped]:
            print(line)
        if not found.files:
            print(found.status)
        staging = Path(tempfile.mkdtemp(prefix="grader-instructor-"))
        try:
            report = grade(stage_found(found, staging), warm=False, source=source, time_limit=args.time_limit)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        print(render_text(report, title=f"Grading {args.student_repo.resolve()} (instructor run)"), end="")
        if args.out is not None:
            write_atomic(args.out / "report.json", json.dumps(report_to_json(report), indent=2) + "\n")
            write_atomic(args.out / "junit.xml", junit_xml(report))
        return EXIT_PASSED if report.all_passed else EXIT_FAILED

    return _run(body)


def reflections_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader reflections",
                                     description="Build the reflections review: one HTML page per question with every "
                                                 "student's answer beside the model answer, and a score field.")
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.batch import find_students
        from grader.classroom.reflections_review import build_review

        if not args.submissions.is_dir():
            raise GradingError(f"there is no folder {args.submissions}")
        students = find_students(args.submissions, args.out)
        pages = build_review(students, args.out)
        print(f"Wrote {len(pages)} pages for {len(students)} students: open {pages[0]} in a browser; each page "
              f"downloads scores-R<n>.csv (or fill {args.out / 'scores.csv'}); merge them into the gradebook with "
              "python -m grader batch ... --reflection-scores FILE")
        return EXIT_PASSED

    return _run(body)


CLASSROOM_COMMANDS = {"release": release_command, "gradescope": gradescope_command, "batch": batch_command,
                      "instructor": instructor_command, "reflections": reflections_command}
