"""Fetch a file once: stream to a temporary file, verify its md5, then rename atomically into place.

A transfer is abandoned when it passes an overall deadline or, after a grace period, falls below a minimum
average rate (a server that drips a byte now and then never ends otherwise). A file already in place that fails
its checksum (a hand-placed or half-copied one) is kept aside as ``<name>.rejected`` and reported, never
deleted in silence.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from lesson.data.errors import DataError

__all__ = ["DownloadError", "ChecksumMismatch", "file_digest", "md5_of", "download", "terminal_progress",
           "set_aside_rejected", "DEADLINE_SECONDS", "MIN_BYTES_PER_SECOND", "GRACE_SECONDS"]

ProgressCallback = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)
_CHUNK = 1 << 20
DEADLINE_SECONDS = 3600.0  # a whole transfer; Imagenette (99 MB) needs 28 KB/s to finish within it
MIN_BYTES_PER_SECOND = 20_000.0  # average rate below which a transfer is abandoned, after the grace period
GRACE_SECONDS = 60.0


class DownloadError(DataError, RuntimeError):
    """The file could not be fetched (no network, refused, truncated, or wrong checksum)."""


class ChecksumMismatch(DownloadError):
    """The bytes arrived but are not the expected file."""


def file_digest(path: Path, algorithm: str = "md5") -> str:
    """Hex digest of a file, read in 1 MiB chunks ("md5", "sha256", ...)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def md5_of(path: Path) -> str:
    return file_digest(path, "md5")


def _verified(path: Path, expected_md5: set[str], sha256_prefix: str | None) -> bool:
    if sha256_prefix:
        return file_digest(path, "sha256").startswith(sha256_prefix)
    return md5_of(path) in expected_md5


def set_aside_rejected(path: Path) -> Path:
    """Rename a file that failed its check to ``<name>.rejected`` (replacing an earlier one) and return it."""
    rejected = Path(path).with_name(Path(path).name + ".rejected")
    os.replace(path, rejected)
    return rejected


def _describe_expected(expected: set[str], sha256_prefix: str | None) -> str:
    return f"a sha256 starting {sha256_prefix}" if sha256_prefix else f"md5 one of {sorted(expected)}"


def terminal_progress(label: str) -> ProgressCallback:
    """A progress bar on stderr: `label [#####     ] 52% 12.3/23.6 MB`."""

    def report(done: int, total: int | None) -> None:
        if total:
            filled = int(30 * done / total)
            sys.stderr.write(f"\r{label} [{'#' * filled}{' ' * (30 - filled)}] {100 * done / total:3.0f}% "
                             f"{done / 1e6:.1f}/{total / 1e6:.1f} MB")
        else:
            sys.stderr.write(f"\r{label} {done / 1e6:.1f} MB")
        if total and done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def download(url: str, destination: Path, *, expected_md5: Iterable[str] = (), sha256_prefix: str | None = None,
             progress: ProgressCallback | None = None, timeout: float = 30.0, offline: bool = False,
             deadline: float = DEADLINE_SECONDS, min_rate: float = MIN_BYTES_PER_SECOND, grace: float = GRACE_SECONDS,
             notices: list[str] | None = None) -> Path:
    """Download ``url`` to ``destination`` unless a verified copy is already there.

    The file must match one of ``expected_md5`` (or, for torch's files, start its sha256 with ``sha256_prefix``).
    An existing file that does not (a hand-placed, partial or corrupt one) is renamed ``<name>.rejected``, said
    in ``notices`` (and in the error when offline), and fetched again unless ``offline``. The new file appears at
    ``destination`` only after its checksum matched. ``timeout``: seconds per network operation; ``deadline``:
    seconds for the whole transfer; ``min_rate``: bytes per second on average, checked after ``grace`` seconds.
    """
    expected = {value.lower() for value in expected_md5}
    destination = Path(destination)
    rejected_note = ""
    if destination.exists():
        if _verified(destination, expected, sha256_prefix):
            return destination
        got = file_digest(destination, "sha256" if sha256_prefix else "md5")
        rejected = set_aside_rejected(destination)  # never used, never deleted in silence
        rejected_note = (f"{destination} did not verify ({'sha256' if sha256_prefix else 'md5'} {got}, expected "
                         f"{_describe_expected(expected, sha256_prefix)}); it was kept as {rejected}. Replace it "
                         "with a complete copy of the original file")
        if notices is not None and not offline:  # (offline, the error below says it)
            notices.append(rejected_note + ".")
    if offline:
        raise DownloadError(rejected_note or f"offline mode is on and {destination} is not there")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.part")
    try:
        try:
            started = time.monotonic()
            response = urllib.request.urlopen(url, timeout=min(timeout, deadline))  # noqa: S310 (https or loopback)
        except (urllib.error.URLError, OSError) as error:
            raise DownloadError(f"could not reach {url}: {getattr(error, 'reason', error)}") from error
        with response, open(partial, "wb") as handle:
            total = int(response.headers.get("Content-Length") or 0) or None
            digest, done = (hashlib.sha256() if sha256_prefix else hashlib.md5()), 0
            while True:
                try:
                    chunk = response.read1(_CHUNK)  # what has arrived (read() would wait for a whole MiB)
                except (OSError, http.client.HTTPException) as error:
                    raise DownloadError(f"the transfer from {url} broke off after {done} bytes: {error}") from error
                if not chunk:
                    break
                _check_pace(url, done + len(chunk), time.monotonic() - started, deadline, min_rate, grace)
                handle.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if total is not None and done != total:  # (a transfer that ends early)
            raise DownloadError(f"the transfer from {url} was truncated: got {done} of {total} bytes")
        got = digest.hexdigest()
        if not (got.startswith(sha256_prefix) if sha256_prefix else got in expected):
            wanted = _describe_expected(expected, sha256_prefix)
            raise ChecksumMismatch(f"{url} arrived with {digest.name} {got}, expected {wanted}; "
                                   "the file is corrupt or not the expected one")
        os.replace(partial, destination)  # atomic on one filesystem
        return destination
    finally:
        partial.unlink(missing_ok=True)


def _check_pace(url: str, done: int, elapsed: float, deadline: float, min_rate: float, grace: float) -> None:
    if elapsed > deadline:
        raise DownloadError(f"the transfer from {url} passed its deadline of {deadline:.0f} s after {done:,} bytes; "
                            "try again later, or download the file by hand (see the README)")
    if elapsed > grace and done / elapsed < min_rate:
        raise DownloadError(f"the transfer from {url} is too slow ({done / elapsed:,.0f} bytes/s over {elapsed:.0f} s, "
                            f"at least {min_rate:,.0f} needed); try again later, or download the file by hand "
                            "(see the README)")
