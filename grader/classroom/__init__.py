"""Classroom tools: grading fixtures, student releases, batch grading, Gradescope archives, instructor runs."""

__all__ = ["build", "release", "batch", "gradescope", "instructor"]
