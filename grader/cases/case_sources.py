"""Where cases and their expected outputs come from: a CaseSource (here: the reference solutions on the bank)."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import numpy as np

from grader.cases.case import Case, frozen
from grader.cases.case_sets import PUBLIC, CaseSet
from grader.registry import Exercise
from grader.registry import exercise as registered
from lesson.atomic import write_atomic
from lesson.curriculum import EXERCISES_BY_NAME
from lesson.references import SOLUTIONS_DIR, reference

__all__ = ["CaseSource", "ReferenceSource", "GROUPS", "single_threaded_blas"]

GROUPS: tuple[str, ...] = ("edge", "random", "bank")


class CaseSource(Protocol):
    """Gives each exercise's cases with ``expected`` filled in, and says where they came from.

    The engine needs nothing else, so a source that reads inputs and expected outputs from a fixtures file
    (no torch, no reference solutions) can replace :class:`ReferenceSource` without other changes.
    """

    def provenance(self) -> dict: ...

    def cases(self, exercise: Exercise, groups: Sequence[str] = GROUPS) -> list[Case]: ...


class _SingleThreadedBlas:
    """One BLAS thread while references are computed: small SVDs run many times faster on a busy machine.

    The limit is process-wide, so it is taken on the first entry and given back on the last exit, whichever
    thread that is (threadpoolctl is optional; without it nothing changes).
    """

    def __init__(self):
        self._lock, self._depth, self._limiter = threading.Lock(), 0, None

    def __enter__(self):
        with self._lock:
            if self._depth == 0:
                try:
                    from threadpoolctl import threadpool_limits

                    self._limiter = threadpool_limits(limits=1, user_api="blas")
                except Exception:  # noqa: BLE001
                    self._limiter = None
            self._depth += 1

    def __exit__(self, *exc):
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._limiter is not None:
                self._limiter.restore_original_limits()
                self._limiter = None


single_threaded_blas = _SingleThreadedBlas()


def _freeze(value):
    if isinstance(value, tuple):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, np.ndarray):
        return frozen(value)
    return value


def _reference_digest() -> str:
    """A hash of everything that decides the shared reference results besides the bank: the reference
    solutions' source and the bank cases' definitions."""
    digest = hashlib.sha256()
    for path in sorted(SOLUTIONS_DIR.glob("*.py")) + [Path(__file__).with_name("case.py")]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _set_aside_damaged(path: Path | None, error: BaseException) -> None:
    """A cache file that exists but cannot be read (half-written, damaged) is moved to ``<name>.damaged`` with a
    notice on stderr, and computed again; a missing one is simply computed."""
    if path is None or not path.exists() or isinstance(error, FileNotFoundError):
        return
    try:
        os.replace(path, path.with_name(path.name + ".damaged"))
        print(f"note: the grader's reference cache {path} was damaged ({type(error).__name__}: {error}); it was moved "
              f"to {path.name}.damaged and is computed again.", file=sys.stderr)
    except OSError:
        pass


class _BankReferences:
    """The bank plus the reference results that several exercises share: every layer's first-order matrix and
    PCA, computed once and kept in ``<cache>/grader/<bank key>-<digest>.npz`` for the next run.

    The file is a cache, not a source of truth: it is keyed by the bank and by the reference code, and a
    missing, unreadable or incomplete file is simply recomputed.
    """

    def __init__(self, bank, solve):
        self.bank, self._solve, self._lock = bank, solve, threading.RLock()
        self._first_order: dict[str, np.ndarray] | None = None
        self._pca: dict[str, tuple] | None = None
        self._images: np.ndarray | None = None

    def _cache_path(self) -> Path | None:
        try:
            return Path(self.bank.path).parent.parent / "grader" / f"{self.bank.key}-{_reference_digest()}.npz"
        except (OSError, AttributeError, KeyError, ImportError):
            return None

    def _load_or_compute(self) -> None:
        paths, path = self.bank.layer_paths, self._cache_path()
        try:
            if path is None:
                raise OSError("no cache for a subsampled bank")
            with np.load(path, allow_pickle=False) as stored:
                first_order = {layer: frozen(stored[f"first_order/{layer}"]) for layer in paths}
                pca = {layer: tuple(frozen(stored[f"pca{part}/{layer}"]) for part in range(3)) for layer in paths}
        except (OSError, KeyError, ValueError, TypeError, EOFError, zipfile.BadZipFile) as error:
            _set_aside_damaged(path, error)
            with single_threaded_blas:
                first_order = {layer: frozen(self._solve("get_similarity_matrix", self.bank.rsa_activations(layer)))
                               for layer in paths}
                pca = {layer: _freeze(self._solve("PCA", self.bank.pca_activations(layer))) for layer in paths}
            self._save(path, first_order, pca)
        self._first_order, self._pca = first_order, pca

    @staticmethod
    def _save(path: Path | None, first_order: dict, pca: dict) -> None:
        if path is None:
            return
        arrays = {f"first_order/{layer}": matrix for layer, matrix in first_order.items()}
        arrays.update({f"pca{part}/{layer}": parts[part] for layer, parts in pca.items() for part in range(3)})
        try:
            write_atomic(path, lambda file: np.savez(file, **arrays))  # readers see the whole file or none
        except OSError:
            pass  # a read-only cache still works: the next run computes again

    def first_order(self) -> dict[str, np.ndarray]:
        with self._lock:
            if self._first_order is None:
                self._load_or_compute()
            return self._first_order

    def pca(self, layer_path: str) -> tuple:
        with self._lock:
            if self._pca is None:
                self._load_or_compute()
            return self._pca[layer_path]

    def images01(self) -> np.ndarray:
        with self._lock:
            if self._images is None:
                images = np.asarray(self.bank.images).transpose(0, 3, 1, 2)  # (n, H, W, 3) uint8 -> (n, 3, H, W)
                self._images = frozen(images.astype(np.float32) / np.float32(255))
            return self._images


class ReferenceSource:
    """The cases of a case set (public by default) on the activation bank's subsample, expected outputs from
    ``solutions``, and each case's mistake signatures (``grader/judging/formulations.py``).

    Everything is cached on the instance, and instances are shared per bank and case set (see :meth:`for_bank`),
    so that the app's Check buttons compute each reference once per process.
    """

    _shared: dict[tuple[str, str, str], ReferenceSource] = {}
    _shared_lock = threading.Lock()

    def __init__(self, bank, case_set: CaseSet = PUBLIC):
        self.bank, self.case_set = bank, case_set
        self._references = _BankReferences(case_set.subsample(bank), self._solve)
        self._cases: dict[tuple[str, str], list[Case]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_bank(cls, bank, case_set: CaseSet = PUBLIC) -> ReferenceSource:
        key = (str(bank.path), bank.provenance.get("key", ""), case_set.fingerprint)
        with cls._shared_lock:
            if key not in cls._shared:
                cls._shared[key] = cls(bank, case_set)
            return cls._shared[key]

    def provenance(self) -> dict:
        provenance = self.bank.provenance
        images = {key: value for key, value in provenance.get("images", {}).items() if key not in ("names", "skipped")}
        kept = ("key", "format", "created", "weights", "preprocessing", "rsa_order", "pca_units", "per_class",
                "n_extreme", "versions", "notices")
        return {"source": "reference solutions on the activation bank", "bank_path": str(self.bank.path),
                **{key: provenance[key] for key in kept if key in provenance}, "images": images,
                "case_set": self.case_set.fingerprint}

    @staticmethod
    def _solve(name: str, *args, **kwargs):
        # the parent only: never importable by the submission
        return reference(EXERCISES_BY_NAME[name].module, name, needed_for="grading on the bank")(*args, **kwargs)

    def cases(self, exercise: Exercise, groups: Sequence[str] = GROUPS) -> list[Case]:
        with self._lock:
            lock = self._locks.setdefault(exercise.name, threading.Lock())
        result: list[Case] = []
        with lock:
            for group in groups:
                key = (exercise.name, group)
                if key not in self._cases:
                    self._cases[key] = self._build(exercise, group)
                result.extend(self._cases[key])
        return result

    def _build(self, exercise: Exercise, group: str) -> list[Case]:
        from grader.judging.formulations import signatures  # course repository only (not in a release)

        if group == "bank":
            built = exercise.bank_cases(self._references)
            if self.case_set.hidden:
                built = [replace(case, hidden=True) for case in built]
        elif group == "edge":
            built = self.case_set.edge_cases(exercise.name)
        else:
            built = self.case_set.random_cases(exercise.name)
        filled = []
        with single_threaded_blas:
            for case in built:
                if case.expected is None:
                    case = replace(case, expected=_freeze(self._solve(exercise.name, *case.args, **case.kwargs)))
                # the registered exercise's mistakes, whatever copy was passed: built cases are cached by name
                filled.append(replace(case, signatures=signatures(registered(exercise.name), case)))
        return filled
