"""What every `python -m grader` command shares: its exit codes and its progress lines (on stderr)."""

from __future__ import annotations

import sys

__all__ = ["EXIT_PASSED", "EXIT_FAILED", "EXIT_CANNOT_GRADE", "progress", "add_limit_options"]

EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_GRADE = 0, 1, 2  # all pass; some fail or are not attempted; no grading


def progress(message: str, fraction: float) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def add_limit_options(parser, *, memory: bool = True) -> None:
    """``--time-limit`` (and ``--memory-limit``): the grading children's limits, the same in every command."""
    parser.add_argument("--time-limit", type=float, metavar="SECONDS", help="per exercise (default: 60)")
    if memory:  # see grader.running.processes.memory_limit_bytes
        parser.add_argument("--memory-limit", type=int, metavar="MIB", help="per child process (default: 4096)")
