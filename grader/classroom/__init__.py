"""Classroom tools: fixtures, student releases, batch grading (roster, deadlines, feedback), Gradescope, Classroom points."""

__all__ = ["build", "release", "batch", "gradescope", "instructor", "reflections"]
