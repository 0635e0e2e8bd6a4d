"""Case inputs as .npy files for the children: written once per process, reused only while provably untouched."""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path

import numpy as np

from grader.running.processes import inputs_folder, share_with_children

__all__ = ["encode_case", "discard_inputs", "STORE"]


class _InputStore:
    """One folder of input files per process, keyed by case (the sources cache their cases, so the app's next
    Check of the same exercise writes nothing).

    A file is reused only if its size, inode, mtime and ctime are unchanged since it was written: a child that
    modified it (even restoring its mtime) cannot hide that, because the kernel updates ctime on every change,
    so its next reader gets a fresh copy and no grading ever sees another grading's tampering.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._count = 0
        self._specs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._written: dict[str, tuple] = {}

    def _path(self) -> Path:
        if self._folder is None:
            self._folder = Path(inputs_folder())
        self._count += 1
        return self._folder / f"{self._count}.npy"

    @staticmethod
    def _signature(path: str) -> tuple | None:
        try:
            info = os.stat(path)
        except OSError:
            return None
        return info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns

    def _intact(self, case_spec) -> bool:
        """Every file of the case is as it was written."""
        return all(self._written.get(path) == self._signature(path) for path in _files(case_spec))

    def _encode(self, value, tensor: bool) -> dict:
        if isinstance(value, np.ndarray):
            path = str(self._path())
            np.save(path, value, allow_pickle=False)
            share_with_children(path)
            self._written[path] = self._signature(path)
            return {"array": path, "tensor": bool(tensor and value.dtype.kind in "iufb")}
        if isinstance(value, dict):
            return {"dict": [[str(key), self._encode(item, tensor)] for key, item in value.items()]}
        if isinstance(value, (list, tuple)):
            return {"list" if isinstance(value, list) else "tuple": [self._encode(item, tensor) for item in value]}
        if isinstance(value, np.generic):
            value = value.item()
        return {"value": value}

    def case(self, case) -> dict:
        """The job's description of ``case`` (its arguments as files), writing files only when needed."""
        with self._lock:
            spec = self._specs.get(case)
            if spec is None or not self._intact(spec):
                spec = {"args": [self._encode(arg, case.tensor) for arg in case.args],
                        "kwargs": [[key, self._encode(arg, case.tensor)] for key, arg in case.kwargs.items()],
                        "tensor": case.tensor}
                self._specs[case] = spec
            return spec

    def discard(self, cases) -> None:
        """Delete the files of ``cases`` (a one-off grading that will not use them again)."""
        with self._lock:
            for case in cases:
                spec = self._specs.pop(case, None)
                for path in _files(spec) if spec else ():
                    self._written.pop(path, None)
                    try:
                        os.unlink(path)
                    except OSError:
                        pass


def _files(case_spec) -> list[str]:
    """The .npy files a case's description names (its arguments, nested lists, tuples and dicts included)."""
    def walk(specs):
        for spec in specs:
            if "array" in spec:
                yield spec["array"]
            else:
                yield from walk(spec.get("list") or spec.get("tuple") or [item for _, item in spec.get("dict", [])])

    return list(walk(case_spec["args"] + [item for _, item in case_spec["kwargs"]]))


STORE = _InputStore()


def encode_case(case) -> dict:
    return STORE.case(case)


def discard_inputs(cases) -> None:
    STORE.discard(cases)
