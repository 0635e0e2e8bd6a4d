"""The data layer's errors for people: what could not be had or used, and how to fix it."""

from __future__ import annotations

__all__ = ["DataError", "SourceUnavailable", "CacheDirUnusable", "BankError", "BankDamaged"]


class DataError(Exception):
    """A data problem a person can fix (a file, a folder or a setting); the message names it, says what was
    expected and how to fix it. Commands exit with code 2 on one; the app shows it as a message."""


class SourceUnavailable(DataError, RuntimeError):
    """The user required the real weights or images and they could not be had (exit code 2)."""


class CacheDirUnusable(DataError, OSError):
    """LESSON_CACHE_DIR cannot hold the cache: it is a file, or it cannot be created or written."""


class BankError(DataError, RuntimeError):
    """No usable bank: missing, half-written or from another format; the message says how to build it."""


class BankDamaged(BankError):
    """A bank directory exists but its files are not what its build wrote (truncated, changed, incomplete):
    ``lesson.data.prepare`` moves it aside and builds it again."""
