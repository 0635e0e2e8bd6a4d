"""Write a report file atomically, replacing whatever is at the path (a planted symlink is replaced, not followed)."""

from lesson.atomic import write_atomic

__all__ = ["write_atomic"]
