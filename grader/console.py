"""What every `python -m grader` command shares: its exit codes and its progress lines (on stderr)."""

from __future__ import annotations

import sys

__all__ = ["EXIT_PASSED", "EXIT_FAILED", "EXIT_CANNOT_GRADE", "progress"]

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_GRADE = 0, 1, 2  # all pass; some fail or are not attempted; no grading


def progress(message: str, fraction: float) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)
