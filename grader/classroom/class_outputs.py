"""What `python -m grader batch` writes and prints beyond the grading: roster join, LMS grade files, reflection scores."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from grader.console import EXIT_FAILED, EXIT_PASSED

__all__ = ["add_batch_options", "ClassOutputs", "EXIT_INTERRUPTED"]

EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C


def add_batch_options(parser) -> None:
    """The batch options of issue 16: roster, deadline and lateness, time cap, resume, reflection scores."""
    from grader.classroom.batch import DEFAULT_SUBMISSION_CAP

    parser.add_argument("--roster", type=Path, metavar="CSV",
                        help="GitHub Classroom roster, or a Canvas or Moodle grades export: students are joined to "
                             "folders; also writes canvas_grades.csv and gradescope_grades.csv")
    parser.add_argument("--assignment", default="AlexNet lesson", metavar="NAME",
                        help="the assignment's column in canvas_grades.csv (default: %(default)s)")
    parser.add_argument("--deadline", metavar="ISO_TIME",
                        help="grade each repository's last commit at or before this time (e.g. 2026-12-01T23:59+01:00), "
                             "without changing its checkout; lateness is recorded")
    parser.add_argument("--late-penalty", metavar="RULE",
                        help="with --deadline: grade the latest commit and take this off per started day or hour "
                             "late, e.g. 10%%/day")
    parser.add_argument("--submission-time-limit", type=float, default=DEFAULT_SUBMISSION_CAP, metavar="SECONDS",
                        help="per student, all exercises together (default: %(default)g)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the result of every student whose files (and commit, options) are unchanged "
                             "since their report in --out")
    parser.add_argument("--reflection-scores", type=Path, action="append", metavar="CSV",
                        help="rubric scores saved from the reflections review pages (repeatable): merged into the "
                             "gradebook")


@dataclass
class ClassOutputs:
    out_dir: Path
    submissions: Path
    roster: list | None = None
    assignment: str = "AlexNet lesson"
    reflection_scores: dict | None = None
    join: object = None

    @classmethod
    def from_args(cls, args) -> ClassOutputs:
        from grader.classroom.reflections_review import read_scores
        from grader.classroom.roster import load_roster

        roster = load_roster(args.roster) if args.roster is not None else None
        scores = read_scores(args.reflection_scores) if args.reflection_scores else None
        if args.late_penalty and not args.deadline:
            from grader.errors import GradingError

            raise GradingError("--late-penalty needs --deadline (the time lateness is counted from)")
        return cls(Path(args.out), Path(args.submissions), roster, args.assignment, scores)

    def write(self, rows) -> None:
        """gradebook.csv, and with a roster the Canvas and Gradescope grade files (after a signal too)."""
        from grader.classroom.batch import find_students
        from grader.classroom.gradebook import GRADEBOOK, NOT_YET, StudentRow, write_gradebook, write_lms_grades
        from grader.classroom.roster import join_folders

        done = {row.student for row in rows}
        rows = sorted(list(rows) + [StudentRow(student, NOT_YET) for student, _ in find_students(
            self.submissions, self.out_dir) if student not in done], key=lambda row: row.student)  # after a signal
        if self.roster is not None:
            self.join = join_folders([row.student for row in rows], self.roster)
        write_gradebook(rows, self.out_dir / GRADEBOOK, join=self.join, reflection_scores=self.reflection_scores)
        if self.join is not None:
            write_lms_grades(rows, self.out_dir, self.join, assignment=self.assignment,
                             reflection_scores=self.reflection_scores)

    def summarise(self, result, seconds: float) -> int:
        """Print what was graded, what was not and why; the exit code."""
        from grader.classroom.gradebook import GRADEBOOK

        rows = result.rows  # the students done (the gradebook also lists those a signal kept from being graded)
        failed = [row.student for row in rows if row.status.startswith("could not grade")]
        not_graded = [row.student for row in rows if row.status.startswith("not graded")]
        fresh = len(rows) - result.resumed
        print(f"Graded {len(rows) - len(failed) - len(not_graded)} of {len(rows)} submissions in {seconds:.1f} s "
              f"({60 * fresh / max(seconds, 1e-9):.1f} per minute"
              + (f"; {result.resumed} unchanged, kept from the last run" if result.resumed else "")
              + f"); gradebook: {self.out_dir / GRADEBOOK}")
        if not_graded:
            print(f"Not graded (nothing gradable found, see the status column): {', '.join(not_graded)}")
        if self.join is not None:
            print(f"Roster: {len(self.join.matched)} folders matched; Canvas and Gradescope grades in "
                  f"{self.out_dir}/canvas_grades.csv and gradescope_grades.csv")
            for folder, why in self.join.unmatched_folders:
                print(f"  unmatched folder {folder}: {why}")
            for person in self.join.unmatched_students:
                print(f"  unmatched student {person.name or person.github_username} "
                      f"({person.github_username or person.student_id or person.email}): no folder")
        if failed:
            print(f"Could not grade: {', '.join(failed)} (see their report.json)", file=sys.stderr)
        if result.interrupted:
            print(f"Stopped by {result.interrupted}: the gradebook holds the {len(rows)} students done; "
                  f"{len(result.not_done)} not graded yet. Run the same command with --resume to finish.",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        return EXIT_PASSED if not failed else EXIT_FAILED
