"""Grading fixtures: every case's inputs and expected outputs in one .npz plus a JSON manifest (numpy only, no torch).

Layout of a fixtures folder (``grader/fixtures/`` in a release)::

    fixtures.npz    the arrays, deduplicated by content, named a0, a1, ...; read with allow_pickle=False
    manifest.json   format, sha256 of fixtures.npz, creation time, grader version, the bank provenance the
                    cases came from, the case set ("public" or "hidden", and its id), how the bank was subsampled,
                    whether the data are stand-ins, and per exercise its cases: name, group, hidden, tensor, about,
                    args, kwargs, expected, signatures (the known mistakes' outputs; values refer to arrays by name)

A :class:`FixtureSource` serves them to the engine like ``ReferenceSource`` does, without the reference
solutions and without the bank. It refuses (``FixtureError``, exit code 2) a file whose sha256 differs from
the manifest. ``write_fixtures`` is the only writer; ``grader.classroom.build`` decides what goes in.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from grader.cases.case import Case, frozen
from grader.cases.case_sources import GROUPS
from grader.errors import FixtureError
from grader.registry import EXERCISES, Exercise
from grader.reports.files import write_atomic
from lesson.references import references_available

__all__ = ["FixtureError", "FixtureSource", "FIXTURES_FORMAT", "DEFAULT_FIXTURES_DIR", "ARRAYS_FILE", "MANIFEST_FILE",
           "write_fixtures", "choose_source", "FixtureError"]

FIXTURES_FORMAT = 2
DEFAULT_FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"  # grader/fixtures/
ARRAYS_FILE, MANIFEST_FILE = "fixtures.npz", "manifest.json"


def choose_source(fixtures: Path | None = None):
    """The fixtures to grade from: ``fixtures`` when given, else ``grader/fixtures/`` when the reference solutions
    are absent (a release); None means "use the reference solutions on the bank" (a developer checkout)."""
    if fixtures is None and references_available():
        return None
    folder = Path(fixtures if fixtures is not None else DEFAULT_FIXTURES_DIR).expanduser().resolve()
    try:
        stamp = tuple((item.stat().st_size, item.stat().st_mtime_ns, item.stat().st_ctime_ns)
                      for item in (folder / MANIFEST_FILE, folder / ARRAYS_FILE))
    except OSError:
        stamp = None
    with _loaded_lock:
        known = _loaded.get(folder)
        if stamp is None or known is None or known[0] != stamp:
            known = (stamp, FixtureSource.load(folder))  # checked again whenever either file changed
            _loaded[folder] = known
        return known[1]


_loaded: dict[Path, tuple] = {}  # the app's Check buttons read the fixtures once per process
_loaded_lock = threading.Lock()


# ---- writing ----

class _ArrayTable:
    """Arrays by content: the same array used by several cases (the first-order matrices) is stored once."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}
        self._names: dict[str, str] = {}

    def add(self, array: np.ndarray) -> str:
        array = np.asarray(array)
        array = array if array.flags.c_contiguous else array.copy(order="C")  # (keeps 0-d arrays 0-d)
        if array.dtype.kind not in "biufU":
            raise TypeError(f"fixtures hold numeric or string arrays only, got dtype {array.dtype}")
        digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode() + array.tobytes()).hexdigest()
        if digest not in self._names:
            self._names[digest] = f"a{len(self.arrays)}"
            self.arrays[self._names[digest]] = array
        return self._names[digest]

    def encode(self, value):
        """A JSON description of ``value``: arrays by name, containers by structure, plain numbers as they are."""
        if isinstance(value, np.ndarray):
            return {"array": self.add(value)}
        if isinstance(value, np.generic):
            return {"scalar": self.add(np.asarray(value))}
        if isinstance(value, Mapping):
            return {"dict": [[str(key), self.encode(item)] for key, item in value.items()]}
        if isinstance(value, (list, tuple)):
            return {"list" if isinstance(value, list) else "tuple": [self.encode(item) for item in value]}
        if value is None or isinstance(value, (bool, int, float, str)):
            return {"value": value}
        raise TypeError(f"cannot store a {type(value).__name__} in fixtures")


def _case_record(case: Case, table: _ArrayTable) -> dict:
    return {"name": case.name, "group": case.group, "hidden": case.hidden, "tensor": case.tensor, "about": case.about,
            "args": [table.encode(arg) for arg in case.args],
            "kwargs": [[key, table.encode(value)] for key, value in case.kwargs.items()],
            "expected": table.encode(case.expected),
            "signatures": [[key, table.encode(value)] for key, value in case.signatures.items()]}


def write_fixtures(out_dir: Path, cases: Mapping[str, Sequence[Case]], *, provenance: dict, selections=(),
                   extra: dict | None = None) -> dict:
    """Write ``fixtures.npz`` and ``manifest.json`` into ``out_dir`` and return the manifest.

    ``cases`` maps each exercise name to its cases with ``expected`` filled in; ``selections`` are dicts
    (manifest_sha256, per_class, n_extreme, redness, rsa_indices, rsa_order, source) for building a bank without
    the reference solutions (see ``lesson/data/rsa_selection.py``).
    """
    import time

    from grader.submission import grader_fingerprint

    table = _ArrayTable()
    records = {name: [_case_record(case, table) for case in items] for name, items in cases.items()}
    stored_selections = [{key: table.encode(value) if isinstance(value, np.ndarray) else value
                          for key, value in selection.items()} for selection in selections]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **table.arrays)
    data = buffer.getvalue()
    fingerprint = grader_fingerprint()
    manifest = {"format": FIXTURES_FORMAT, "arrays": ARRAYS_FILE, "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "grader_version": fingerprint["version"], "grader_sha256": fingerprint["sha256"],
                "provenance": provenance, **(extra or {}),
                "counts": {name: len(items) for name, items in records.items()},
                "exercises": records, "selections": stored_selections}
    for name, content in ((ARRAYS_FILE, data), (MANIFEST_FILE, json.dumps(manifest, indent=1) + "\n")):
        write_atomic(out_dir / name, content, mode=0o644)  # shipped in releases: readable by everyone
    return manifest


# ---- reading ----

def _decode(spec, arrays: Mapping[str, np.ndarray]):
    if "array" in spec:
        return frozen(arrays[spec["array"]])
    if "scalar" in spec:
        return arrays[spec["scalar"]][()]
    if "dict" in spec:
        return {key: _decode(item, arrays) for key, item in spec["dict"]}
    if "list" in spec:
        return [_decode(item, arrays) for item in spec["list"]]
    if "tuple" in spec:
        return tuple(_decode(item, arrays) for item in spec["tuple"])
    return spec["value"]


class FixtureSource:
    """A CaseSource reading every case (inputs and expected outputs) from a fixtures folder."""

    def __init__(self, folder: Path, manifest: dict, arrays: Mapping[str, np.ndarray], manifest_sha256: str):
        self.folder, self.manifest, self._arrays, self._manifest_sha256 = folder, manifest, arrays, manifest_sha256
        self._cases: dict[str, list[Case]] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path) -> FixtureSource:
        """Read and check a fixtures folder (or its manifest.json), or raise FixtureError saying what is wrong."""
        folder = Path(folder).expanduser()
        if folder.name == MANIFEST_FILE:
            folder = folder.parent
        try:
            raw = (folder / MANIFEST_FILE).read_bytes()
            manifest = json.loads(raw)
        except (OSError, ValueError) as error:
            raise FixtureError(f"no readable grading fixtures at {folder} ({MANIFEST_FILE}: {error}). In a student "
                               "release they are in grader/fixtures/; an instructor builds them with "
                               "`python -m grader release`.") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FIXTURES_FORMAT:
            found = manifest.get("format") if isinstance(manifest, dict) else "?"
            raise FixtureError(f"the fixtures at {folder} have format {found}"
                               f", this grader reads format {FIXTURES_FORMAT}: rebuild them with this grader.")
        try:
            data = (folder / manifest["arrays"]).read_bytes()
        except (OSError, KeyError, TypeError) as error:
            raise FixtureError(f"the fixtures' arrays file is missing or unreadable in {folder}: {error}") from None
        digest = hashlib.sha256(data).hexdigest()
        if digest != manifest.get("sha256"):
            raise FixtureError(f"{folder / manifest['arrays']} has sha256 {digest}, but its manifest says "
                               f"{manifest.get('sha256')}: the fixtures were changed or damaged. Restore them "
                               "(git checkout grader/fixtures) or ask your instructor.")
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
        except (OSError, ValueError) as error:
            raise FixtureError(f"the fixtures' arrays could not be read: {error}") from None
        return cls(folder.resolve(), manifest, arrays, hashlib.sha256(raw).hexdigest())

    def provenance(self) -> dict:
        manifest = self.manifest
        fixtures = {"path": str(self.folder), "sha256": manifest["sha256"], "manifest_sha256": self._manifest_sha256,
                    "created": manifest.get("created"), "grader_version": manifest.get("grader_version"),
                    "subsample": manifest.get("subsample", {})}
        return {**manifest.get("provenance", {}), "source": "grading fixtures (expected outputs computed by the "
                "reference solutions when the fixtures were built)", "fixtures": fixtures,
                "case_set": manifest.get("case_set_id", "public")}

    @property
    def case_set(self) -> str:
        """Which case set these fixtures hold: "public" or "hidden"."""
        return self.manifest.get("case_set", "public")

    def cases(self, exercise: Exercise, groups: Sequence[str] = GROUPS) -> list[Case]:
        with self._lock:
            if exercise.name not in self._cases:
                records = self.manifest["exercises"].get(exercise.name)
                if records is None:
                    raise FixtureError(f"the fixtures hold no cases for {exercise.name}: rebuild them with this grader")
                self._cases[exercise.name] = [self._case(record) for record in records]
            built = self._cases[exercise.name]
        return [case for group in groups for case in built if case.group == group]

    def _case(self, record: dict) -> Case:
        arrays = self._arrays
        return Case(record["name"], tuple(_decode(arg, arrays) for arg in record["args"]),
                    {key: _decode(value, arrays) for key, value in record["kwargs"]}, group=record["group"],
                    hidden=record["hidden"], tensor=record["tensor"], about=record.get("about", ""),
                    expected=_decode(record["expected"], arrays),
                    signatures={key: _decode(value, arrays) for key, value in record.get("signatures", [])})

    def selections(self) -> list[dict]:
        """The stored RSA selections (manifest_sha256, per_class, n_extreme, redness, rsa_indices, rsa_order),
        one per image set the fixtures were built for (see ``lesson/data/rsa_selection.py``)."""
        return [{key: _decode(value, self._arrays) if isinstance(value, dict) else value
                 for key, value in selection.items()} for selection in self.manifest.get("selections", [])]

    def selection(self, manifest_sha256: str, per_class: int, n_extreme: int) -> dict | None:
        """The stored RSA selection of a known image set, or None."""
        for selection in self.selections():
            if (selection.get("manifest_sha256"), selection.get("per_class"), selection.get("n_extreme")) == (
                    manifest_sha256, per_class, n_extreme):
                return selection
        return None

    def check_complete(self) -> None:
        """FixtureError unless every registered exercise has cases (a grader newer than its fixtures)."""
        missing = [exercise.name for exercise in EXERCISES if exercise.name not in self.manifest["exercises"]]
        if missing:
            raise FixtureError(f"the fixtures hold no cases for {', '.join(missing)}: rebuild them with this grader")
