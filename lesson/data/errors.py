"""The data layer's one error for people: what could not be had, and how to supply it."""

from __future__ import annotations

__all__ = ["SourceUnavailable"]


class SourceUnavailable(RuntimeError):
    """The user required the real weights or images and they could not be had (exit code 2)."""
