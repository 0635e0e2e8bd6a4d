"""What `python -m grader` does before anything else: start the grading children.

The torch child takes 1.5-2 s to import torch, longer than everything else that grading one exercise needs,
so each 0.1 s it starts earlier is 0.1 s less to wait; this module imports only the standard library and
``grader.running.processes``, so the children start 0.05 s after the interpreter instead of after the grader's 0.2 s
of imports (engine, numpy, reports). ``grade_command`` adds children once it knows the submission, and the
ones left unused are stopped at exit.
"""

from __future__ import annotations

from grader.running.processes import keep_warm_for_grading, memory_limit_bytes

__all__ = ["start_children_early", "memory_limit_argument"]


def memory_limit_argument(argv: list[str]) -> int | None:
    """The bytes ``--memory-limit MIB`` asks for, as the CLI computes them (the default without the option);
    None when the value is not a whole number (the CLI then reports it)."""
    for index, argument in enumerate(argv):
        if argument == "--memory-limit":
            value = argv[index + 1] if index + 1 < len(argv) else ""
        elif argument.startswith("--memory-limit="):
            value = argument.partition("=")[2]
        else:
            continue
        return memory_limit_bytes(int(value)) if value.isdigit() else None
    return memory_limit_bytes(None)


def start_children_early(argv: list[str]) -> None:
    """For the grade command (``python -m grader [grade] [options]``): one standby child of each kind, now."""
    if argv and argv[0] != "grade" and not argv[0].startswith("-") or {"-h", "--help"} & set(argv):
        return  # a classroom command (it starts its own children), or help
    memory_limit = memory_limit_argument(argv)
    if memory_limit is not None:
        keep_warm_for_grading(memory_limit=memory_limit)
