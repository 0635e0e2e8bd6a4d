"""The classroom subcommands of `python -m grader`: release, gradescope, batch, instructor, fixtures (see grader/cli.py)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from grader.console import EXIT_CANNOT_GRADE, EXIT_FAILED, EXIT_PASSED, add_limit_options
from grader.console import progress as _progress
from grader.errors import GradingError
from grader.running.processes import memory_limit_bytes

__all__ = ["CLASSROOM_COMMANDS"]

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
    parser.add_argument("--require-pretrained", action="store_true",
                        help="grade on the pretrained AlexNet and the lesson's images only (exit 2 otherwise)")


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
    parser.add_argument("--require-pretrained", action="store_true",
                        help="build the fixtures on the pretrained AlexNet and the lesson's images only (exit 2 otherwise)")
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
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.gradescope import build_gradescope
        from grader.classroom.official import check_pretrained, hidden_fixtures_folder, warn_stand_in

        with tempfile.TemporaryDirectory(prefix="grader-fixtures-") as scratch:
            folder = hidden_fixtures_folder(args.fixtures, Path(scratch), hidden_key=args.hidden_key,
                                            bank_loader=lambda: _bank(args), settings=_settings())
            names, record = build_gradescope(args.out_zip, folder)
        if args.require_pretrained:
            check_pretrained(record, "the archive's fixtures were built where")
        print(f"Wrote {args.out_zip} ({len(names)} files; hidden cases {record['case_set_id']}): upload it as the "
              "autograder of a Gradescope assignment.")
        warn_stand_in(record["stand_in"], "this Gradescope autograder will")
        return EXIT_PASSED

    return _run(body)


def batch_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader batch",
                                     description="Grade every sub-folder (one per student); write gradebook.csv and "
                                                 "one JSON report per student.")
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--jobs", type=int, metavar="N", help="students graded at once (default: the number of cores)")
    add_limit_options(parser)
    _official_fixtures_option(parser)
    _official_options(parser)
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.batch import GRADEBOOK, grade_batch

        if not args.submissions.is_dir():
            raise GradingError(f"there is no folder {args.submissions}")
        started = time.perf_counter()
        rows = grade_batch(args.submissions, args.out, source=_official_source(args, "batch"), jobs=args.jobs,
                           time_limit=args.time_limit,
                           memory_limit=memory_limit_bytes(args.memory_limit), progress=_progress)
        seconds = time.perf_counter() - started
        failed = [row.student for row in rows if row.status != "graded"]
        print(f"Graded {len(rows) - len(failed)} of {len(rows)} submissions in {seconds:.1f} s "
              f"({60 * len(rows) / max(seconds, 1e-9):.1f} per minute); gradebook: {args.out / GRADEBOOK}")
        if failed:
            print(f"Could not grade: {', '.join(failed)} (see their report.json)", file=sys.stderr)
        return EXIT_PASSED if not failed else EXIT_FAILED

    return _run(body)


def instructor_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader instructor",
                                     description="Grade a student repository with this grader and its fixtures, "
                                                 "reading only exercises/*.py and reflections.md from it.")
    parser.add_argument("student_repo", type=Path, metavar="STUDENT_REPO")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write report.json and junit.xml here")
    add_limit_options(parser, memory=False)
    _official_fixtures_option(parser)
    _official_options(parser)
    args = parser.parse_args(argv)

    def body() -> int:
        from grader.classroom.staging import grade_staged
        from grader.reports import junit_xml, render_text, report_to_json, write_atomic

        if not args.student_repo.is_dir():
            raise GradingError(f"there is no folder {args.student_repo}")
        source = _official_source(args, "instructor")
        report = grade_staged(args.student_repo, prefix="grader-instructor-", source=source,
                              time_limit=args.time_limit)
        print(render_text(report, title=f"Grading {args.student_repo.resolve()} (instructor run)"), end="")
        if args.out is not None:
            write_atomic(args.out / "report.json", json.dumps(report_to_json(report), indent=2) + "\n")
            write_atomic(args.out / "junit.xml", junit_xml(report))
        return EXIT_PASSED if report.all_passed else EXIT_FAILED

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
                      "instructor": instructor_command, "fixtures": fixtures_command}
