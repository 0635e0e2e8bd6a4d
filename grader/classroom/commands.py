"""The classroom subcommands of `python -m grader`: release, gradescope, batch, instructor, reflections, fixtures."""

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

__all__ = ["CLASSROOM_COMMANDS", "add_sandbox_option", "add_pretrained_option", "check_sandbox"]


def add_sandbox_option(parser, *, required: bool) -> None:
    """``--require-sandbox`` (and, where it is the default, ``--no-require-sandbox``): see grader/running/bubblewrap.py."""
    parser.add_argument("--require-sandbox", action=argparse.BooleanOptionalAction if required else "store_true",
                        default=required,
                        help="refuse to grade (exit 2) unless every child runs in the bubblewrap sandbox"
                             + (" (the default here; --no-require-sandbox grades with process isolation only "
                                "where the sandbox cannot start, and the reports say so)" if required else ""))


def add_pretrained_option(parser, *, doing: str = "grade") -> None:
    """``--require-pretrained``: ``doing`` (grade, build the fixtures) on the real network and images only."""
    parser.add_argument("--require-pretrained", action="store_true",
                        help=f"{doing} on the pretrained AlexNet and the lesson's images only (exit 2 otherwise)")


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


def _official_source(args, command: str):
    """Official grades: hidden cases (grader/classroom/official.py)."""
    from grader.classroom.official import official_source

    return official_source(args.fixtures, hidden_key=args.hidden_key, bank_loader=lambda: _bank(args),
                           require_pretrained=args.require_pretrained, command=command)


def _official_options(parser) -> None:
    """--hidden-key and --require-pretrained: what official grades are made of."""
    parser.add_argument("--hidden-key", type=Path, metavar="FILE",
                        help="the secret the hidden cases are drawn from (default: $GRADER_HIDDEN_KEY, else "
                             "<cache>/grader/hidden-key, made on first use); never put it in a release")
    add_pretrained_option(parser)


def _official_grading_options(parser, *, memory: bool = True) -> None:
    """What batch and instructor runs share: the children's limits, hidden fixtures, the key, the sandbox."""
    add_limit_options(parser, memory=memory)
    _official_fixtures_option(parser)
    _official_options(parser)
    add_sandbox_option(parser, required=True)


def _class_folder_options(parser) -> None:
    """A folder of student sub-folders, and where the class's outputs go."""
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")


def _require_folder(path: Path) -> None:
    if not path.is_dir():
        raise GradingError(f"there is no folder {path}")


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


def _official_fixtures_option(parser) -> None:
    parser.add_argument("--fixtures", type=Path, metavar="DIR",
                        help="hidden fixtures to grade from (default: the hidden cases drawn from your key on the "
                             "activation bank, with the reference solutions); public ones only with a warning")


def release_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader release",
                                     description="Write a student repository: no solutions, grading from fixtures.")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    _fixtures_option(parser)
    parser.add_argument("--force", action="store_true", help="replace a release written earlier into OUT_DIR")
    add_pretrained_option(parser, doing="build the fixtures")
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.release import build_release

        started = time.perf_counter()
        if args.fixtures is not None and args.require_pretrained:
            from grader.cases.fixtures import FixtureSource
            from grader.classroom.official import check_pretrained

            check_pretrained(FixtureSource.load(args.fixtures).manifest, f"the fixtures in {args.fixtures} were built where")
        bank = None if args.fixtures is not None else _bank(args)
        record = build_release(args.out_dir, fixtures_dir=args.fixtures, bank=bank, settings=_settings(),
                               force=args.force, progress=_progress)
        from grader.classroom.official import warn_stand_in

        print(f"Wrote a student release to {args.out_dir} ({record['files']} files; fixtures "
              f"{record['fixtures']['bytes'] / 1e6:.1f} MB, sha256 {record['fixtures']['sha256'][:16]}...; "
              f"{time.perf_counter() - started:.1f} s)")
        warn_stand_in(record["stand_in"], "this release's students will")
        return EXIT_PASSED

    return _run(body)


def gradescope_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader gradescope",
                                     description="Build a Gradescope autograder archive (setup.sh, run_autograder).")
    parser.add_argument("out_zip", type=Path, metavar="OUT.zip")
    parser.add_argument("--fixtures", type=Path, metavar="DIR",
                        help="hidden fixtures to ship (default: built now from the activation bank with the reference "
                             "solutions and your hidden-case key)")
    _official_options(parser)
    parser.add_argument("--visibility", default="visible",
                        choices=("visible", "hidden", "after_due_date", "after_published"),
                        help="when students see their results (default: %(default)s)")
    parser.add_argument("--no-reflections", action="store_true",
                        help="do not show the reflections as a part graded by hand")
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.gradescope import build_gradescope
        from grader.classroom.official import check_pretrained, hidden_fixtures_folder, warn_stand_in

        with tempfile.TemporaryDirectory(prefix="grader-fixtures-") as scratch:
            folder = hidden_fixtures_folder(args.fixtures, Path(scratch), hidden_key=args.hidden_key,
                                            bank_loader=lambda: _bank(args), settings=_settings())
            names, record = build_gradescope(args.out_zip, folder, visibility=args.visibility,
                                             reflections=not args.no_reflections)
        if args.require_pretrained:
            check_pretrained(record, "the archive's fixtures were built where")
        print(f"Wrote {args.out_zip} ({len(names)} files; hidden cases {record['case_set_id']}): upload it as the "
              "autograder of a Gradescope assignment.")
        warn_stand_in(record["stand_in"], "this Gradescope autograder will")
        return EXIT_PASSED

    return _run(body)


def batch_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader batch",
                                     description="Grade every sub-folder (one per student); write gradebook.csv, and "
                                                 "a report.json and feedback.md per student.")
    _class_folder_options(parser)
    parser.add_argument("--jobs", type=int, metavar="N", help="students graded at once (default: the number of cores)")
    _official_grading_options(parser)
    add_batch_options(parser)
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.batch import grade_batch
        from grader.classroom.class_outputs import ClassOutputs

        _require_folder(args.submissions)
        check_sandbox(args)
        outputs = ClassOutputs.from_args(args)  # reads the roster and scores first: a typo fails before grading
        if args.fixtures is None:
            _bank(args)  # built once here (each student's worker then loads it)
        started = time.perf_counter()
        _official_source(args, "batch")  # checked, and any warning said, once here: each worker builds it again
        result = grade_batch(args.submissions, args.out, fixtures=args.fixtures, hidden_key=args.hidden_key,
                             jobs=args.jobs, time_limit=args.time_limit,
                             memory_limit=memory_limit_bytes(args.memory_limit),
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
    _official_grading_options(parser, memory=False)
    args = parser.parse_args(argv)

    def body() -> int:
        import shutil

        from grader.classroom.discovery import discover, stage_found
        from grader.engine import grade
        from grader.reports import junit_xml, render_text, report_to_json, write_atomic

        _require_folder(args.student_repo)
        check_sandbox(args)
        source = _official_source(args, "instructor")
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
    _class_folder_options(parser)
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.batch import find_students
        from grader.classroom.reflections_review import build_review

        _require_folder(args.submissions)
        students = find_students(args.submissions, args.out)
        pages = build_review(students, args.out)
        print(f"Wrote {len(pages)} pages for {len(students)} students: open {pages[0]} in a browser; each page "
              f"downloads scores-R<n>.csv (or fill {args.out / 'scores.csv'}); merge them into the gradebook with "
              "python -m grader batch ... --reflection-scores FILE")
        return EXIT_PASSED

    return _run(body)


def fixtures_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader fixtures",
                                     description="Write grading fixtures: the public cases (as a release ships them), "
                                                 "or with --hidden the hidden cases drawn from your key (keep those "
                                                 "private: for batch/instructor --fixtures or a Gradescope archive).")
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--hidden", action="store_true", help="the hidden cases (default: the public ones)")
    _official_options(parser)
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.cases.case_sets import PUBLIC, load_hidden_key
        from grader.classroom.build import build_fixtures
        from grader.classroom.official import stand_in_of, warn_stand_in
        from lesson.references import references_available

        if not references_available():
            raise GradingError("fixtures are built with the reference solutions: run this from the course repository")
        case_set = load_hidden_key(args.hidden_key) if args.hidden else PUBLIC
        manifest = build_fixtures(_bank(args), args.out_dir, settings=_settings(), case_set=case_set)
        print(f"Wrote {case_set.name} fixtures ({case_set.fingerprint}) to {args.out_dir} "
              f"({manifest['bytes'] / 1e6:.1f} MB)")
        warn_stand_in(stand_in_of(manifest), "grades from these fixtures will")
        return EXIT_PASSED

    return _run(body)


CLASSROOM_COMMANDS = {"release": release_command, "gradescope": gradescope_command, "batch": batch_command,
                      "instructor": instructor_command, "reflections": reflections_command,
                      "fixtures": fixtures_command}
