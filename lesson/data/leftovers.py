"""Leftovers of earlier crashes, removed at the next start: a killed download's ``.part``, a killed build's
``.partial`` folder, and grader temporary folders (``grader-*``, ``grader-inputs-*``) no longer in use.

A leftover is removed only when nothing can still be writing it: its owner's process id (in the name) is not
running, and it has not changed for ``min_age`` seconds (an hour by default; a process id can be reused).
Grader folders whose name carries no process id are removed after the same age, unless a running process
works inside one (its current directory).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

__all__ = ["remove_leftovers", "MIN_AGE_SECONDS"]

MIN_AGE_SECONDS = 3600.0
_PID_IN_NAME = re.compile(r"\.(\d+)\.(part|partial)$")  # .<name>.<pid>.part, .<key>.<pid>.partial
_GRADER_PID = re.compile(r"^grader-(?:inputs-)?(\d+)-")  # grader-<pid>-..., grader-inputs-<pid>-...


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _age(path: Path, now: float) -> float:
    """Seconds since anything in ``path`` last changed (the newest mtime of the path and, for a folder, its
    direct entries)."""
    try:
        newest = path.lstat().st_mtime
        if path.is_dir() and not path.is_symlink():
            for entry in os.scandir(path):
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    except OSError:
        return 0.0
    return now - newest


def _working_directories() -> set[str]:
    """The current directories of running processes (Linux /proc; empty elsewhere)."""
    found = set()
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                found.add(os.readlink(entry / "cwd"))
            except OSError:
                continue
    return found


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        return True
    except OSError:
        return False


def remove_leftovers(cache_dir: Path, *, min_age: float = MIN_AGE_SECONDS, temp_dir: Path | None = None) -> list[Path]:
    """Remove the leftovers described above from ``cache_dir`` (and its ``banks/``, ``imagenette2-160``'s
    parent) and from the temporary folder; returns what was removed. Never raises."""
    now, removed = time.time(), []
    cache_dir = Path(cache_dir)
    for folder in (cache_dir, cache_dir / "banks"):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            match = _PID_IN_NAME.search(path.name)
            if (match and path.name.startswith(".") and not _running(int(match.group(1)))
                    and _age(path, now) >= min_age and _remove(path)):
                removed.append(path)
    temp_dir = Path(temp_dir or tempfile.gettempdir())
    try:
        candidates = [path for path in temp_dir.iterdir() if path.name.startswith("grader-") and path.is_dir()
                      and not path.is_symlink() and path.lstat().st_uid == os.getuid()]
    except (OSError, AttributeError):
        candidates = []
    in_use = _working_directories() if candidates else set()
    for path in candidates:
        match = _GRADER_PID.match(path.name)
        if match and _running(int(match.group(1))):
            continue
        if any(cwd == str(path) or cwd.startswith(f"{path}{os.sep}") for cwd in in_use):
            continue
        if _age(path, now) >= min_age and _remove(path):
            removed.append(path)
    return removed
