"""The grader's errors: grading could not happen at all (exit code 2). A submission's own failures never raise."""

__all__ = ["GradingError", "FixtureError"]


class GradingError(RuntimeError):
    """Grading could not happen at all (no bank, no submission folder, unknown exercise): exit code 2."""


class FixtureError(GradingError):
    """The fixtures are missing, unreadable, from another format, or do not match their manifest (exit code 2)."""
