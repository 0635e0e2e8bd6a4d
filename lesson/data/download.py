"""Fetch a file once: stream to a temporary file, verify its md5, then rename atomically into place."""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from lesson.data.errors import DataError

__all__ = ["DownloadError", "ChecksumMismatch", "file_digest", "md5_of", "download", "terminal_progress"]

ProgressCallback = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)
_CHUNK = 1 << 20


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
             progress: ProgressCallback | None = None, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``destination`` unless a verified copy is already there.

    The file must match one of ``expected_md5`` (or, for torch's files, start its sha256 with ``sha256_prefix``).
    An existing file that does not (a partial or corrupt earlier download) is deleted and fetched again. The new
    file appears at ``destination`` only after its checksum matched.
    """
    expected = {value.lower() for value in expected_md5}
    destination = Path(destination)
    if destination.exists():
        if _verified(destination, expected, sha256_prefix):
            return destination
        destination.unlink()  # corrupt or truncated: never used
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.part")
    try:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (https or a test's loopback URL)
        except (urllib.error.URLError, OSError) as error:
            raise DownloadError(f"could not reach {url}: {getattr(error, 'reason', error)}") from error
        with response, open(partial, "wb") as handle:
            total = int(response.headers.get("Content-Length") or 0) or None
            digest, done = (hashlib.sha256() if sha256_prefix else hashlib.md5()), 0
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as error:
                    raise DownloadError(f"the transfer from {url} broke off after {done} bytes: {error}") from error
                if not chunk:
                    break
                handle.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if total is not None and done != total:
            raise DownloadError(f"the transfer from {url} was truncated: got {done} of {total} bytes")
        got = digest.hexdigest()
        if not (got.startswith(sha256_prefix) if sha256_prefix else got in expected):
            wanted = f"a sha256 starting {sha256_prefix}" if sha256_prefix else f"md5 one of {sorted(expected)}"
            raise ChecksumMismatch(f"{url} arrived with {digest.name} {got}, expected {wanted}; "
                                   "the file is corrupt or not the expected one")
        os.replace(partial, destination)  # atomic on one filesystem
        return destination
    finally:
        partial.unlink(missing_ok=True)
