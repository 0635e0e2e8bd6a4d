"""Write a file atomically: readers see the old file or the whole new one, never a part; no temporary file is
left behind when the write fails. The one helper for every file the lesson and the grader write; and the lock a
read-modify-write of a shared file holds (several tabs, apps or editors write the same files)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["ReadOnlyFileError", "write_atomic", "locked"]


class ReadOnlyFileError(PermissionError):
    """The file to replace is read-only (``refuse_read_only=True``); ``str()`` says how to allow the write."""


def write_atomic(path: Path, content: str | bytes | Callable[[BinaryIO], object], *, mode: int | None = None,
                 fsync: bool = False, keep_mode: bool = False, follow_symlink: bool = False,
                 refuse_read_only: bool = False) -> None:
    """Write ``content`` (text as UTF-8, bytes, or a function that writes into the open binary file) to ``path``.

    ``mode``: the new file's permissions (default: ``mkstemp``'s, readable by its owner only). A symlink at
    ``path`` is replaced, not followed (a planted link cannot redirect the write). ``fsync``: flush to disk
    before the rename (for what a person typed).

    Options for a file a person owns and may have arranged (all off by default): ``keep_mode`` gives the new file
    the old one's permissions (when ``mode`` is None); ``follow_symlink`` writes to the link's target, so the link
    stays a link; ``refuse_read_only`` raises ``ReadOnlyFileError`` instead of replacing a file without write
    permission for its owner.
    """
    path = Path(path)
    if follow_symlink and path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        existing = path.stat()
    except OSError:
        existing = None
    if refuse_read_only and existing is not None and not existing.st_mode & stat.S_IWUSR:
        raise ReadOnlyFileError(f"{path} is read-only, so it was not overwritten. Make it writable (for example "
                                f"`chmod u+w {path.name}`) and try again.")
    if keep_mode and mode is None and existing is not None:
        mode = stat.S_IMODE(existing.st_mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            if callable(content):
                content(file)
            else:
                file.write(content.encode("utf-8") if isinstance(content, str) else content)
            if fsync:
                file.flush()
                os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


@contextlib.contextmanager
def locked(path: Path):
    """Hold an exclusive lock on a hidden file beside ``path`` (one writer at a time, across processes), from
    reading the file to replacing it, so that no other writer's update is lost in between."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; saves are still atomic
        yield
        return
    lock = path.with_name(f".{path.name}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock
