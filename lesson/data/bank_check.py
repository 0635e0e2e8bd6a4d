"""An activation bank checks itself: every array's size against its shape, and a checksum per array written at
build time, verified in full only when a file changed since the last full check (so an open costs a few stats).

``provenance["arrays"]`` maps each ``.npy`` (relative path) to its ``shape``, ``dtype``, ``bytes`` and
``blake2b``. ``verified.json`` beside it holds, per file, (size, inode, mtime_ns, ctime_ns) at the last full
check: the kernel updates ctime on every write, so a file changed in any way (even with its mtime restored)
is hashed again. A damaged bank is moved aside (``set_aside``) and built again by ``lesson.data.prepare``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from lesson.atomic import write_atomic
from lesson.data.errors import BankDamaged

__all__ = ["array_records", "verify_bank", "write_stamp", "set_aside", "fsync_file", "fsync_folder", "STAMP"]

STAMP = "verified.json"
_CHUNK = 1 << 22


def _digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)  # about 1 GB/s here: a 200 MB bank in ~0.2 s
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _signature(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]


def _header(path: Path) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, offset of the data) of a .npy file, from its header alone."""
    with open(path, "rb") as handle:
        major, _ = np.lib.format.read_magic(handle)
        reader = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, _, dtype = reader(handle)
        return tuple(shape), dtype, handle.tell()


def array_records(folder: Path) -> dict[str, dict]:
    """Shape, dtype, size and checksum of every .npy under ``folder`` (a finished staging folder)."""
    records = {}
    for path in sorted(Path(folder).rglob("*.npy")):
        shape, dtype, _ = _header(path)
        records[path.relative_to(folder).as_posix()] = {"shape": list(shape), "dtype": dtype.str,
                                                         "bytes": path.stat().st_size, "blake2b": _digest(path)}
    return records


def write_stamp(folder: Path, names) -> None:
    """Record the files' signatures as verified (best effort: a read-only cache is checked on every open)."""
    try:
        stamp = {name: _signature(Path(folder) / name) for name in names}
        write_atomic(Path(folder) / STAMP, json.dumps(stamp), fsync=True)
    except OSError:
        pass


def verify_bank(folder: Path, provenance: dict) -> None:
    """Raise ``BankDamaged`` naming the first array that is missing, of the wrong size or shape, or (when the
    file changed since the last full check) whose checksum differs from the one its build recorded."""
    folder = Path(folder)
    records = provenance.get("arrays")
    if not isinstance(records, dict):
        records = {}  # a bank from before checksums: sizes against the headers only
        for path in sorted(folder.rglob("*.npy")):
            records[path.relative_to(folder).as_posix()] = {}
        for name in ("images.npy", "labels.npy", "redness.npy", "rsa_indices.npy"):
            records.setdefault(name, {})
    for name, record in records.items():
        path = folder / name
        try:
            shape, dtype, offset = _header(path)
            size = path.stat().st_size
        except (OSError, ValueError, SyntaxError) as error:
            raise BankDamaged(f"{path} is missing or has no readable header ({error})") from error
        expected = offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if size != expected or ("bytes" in record and size != record["bytes"]):
            raise BankDamaged(f"{path} holds {size:,} bytes; its shape {shape} needs {expected:,}: it is truncated "
                              "or was changed")
        if "shape" in record and (list(shape) != record["shape"] or dtype.str != record["dtype"]):
            raise BankDamaged(f"{path} has shape {shape} ({dtype.str}); the bank recorded {tuple(record['shape'])} "
                              f"({record['dtype']})")
    checked = {name: record["blake2b"] for name, record in records.items() if "blake2b" in record}
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        stamp = {}
    changed = [name for name in checked if stamp.get(name) != _signature(folder / name)]
    for name in changed:
        if _digest(folder / name) != checked[name]:
            raise BankDamaged(f"{folder / name} does not match the checksum its build recorded: its contents were "
                              "changed or damaged on disk")
    if changed:
        write_stamp(folder, checked)


def set_aside(folder: Path) -> Path:
    """Move a damaged bank directory out of the way (``.<name>.damaged``, replacing an earlier one) and return
    where it went; the next build writes a fresh one."""
    import shutil

    folder = Path(folder)
    aside = folder.with_name(f".{folder.name}.damaged")
    shutil.rmtree(aside, ignore_errors=True)
    try:
        folder.rename(aside)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)  # cannot rename (another file system?): remove it instead
        return folder
    os.utime(aside, (time.time(), time.time()))
    return aside


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_folder(folder: Path) -> None:
    """Flush a directory's entries (its new or renamed files) to disk; a no-op where unsupported."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
