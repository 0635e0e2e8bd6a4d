"""Case sets: the public one (student-side grading, shipped in releases) and hidden ones made from an instructor's key.

Both have the same kinds and counts of cases per exercise (edge, random, bank; the same torch-tensor checks):
- public: the hand-made edge cases, the random cases of ``PUBLIC_SEEDS``, the public bank subsample;
- hidden: a drawn variant of every edge case (``variants.py``), random cases from seeds derived from the key,
  a bank subsample drawn from the key (``subsample.py``). Every hidden case is marked ``hidden``.
The key never leaves the instructor's side: releases carry public fixtures only, a Gradescope archive carries
hidden fixtures (their inputs and expected outputs, never the key). Reports record the key's fingerprint.

A key is a file of random bytes: ``--hidden-key FILE``, else ``$GRADER_HIDDEN_KEY`` (a path), else
``<cache>/grader/hidden-key`` (made on first use, mode 600). Keep it (with a backup) outside any repository
you share; a lost key only changes which hidden cases are drawn, not what an honest implementation scores.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from grader.cases.case import Case, random_cases
from grader.cases.edge_cases import EDGE_CASES
from grader.cases.subsample import SubsampledBank
from grader.cases.variants import hidden_variant
from grader.errors import GradingError

__all__ = ["CaseSet", "PUBLIC", "hidden_case_set", "load_hidden_key", "KEY_ENV", "KEY_BYTES"]

KEY_ENV = "GRADER_HIDDEN_KEY"
KEY_BYTES = 32


@dataclass(frozen=True, eq=False)
class CaseSet:
    """Which cases to grade on: ``name`` "public" or "hidden"; ``key`` the secret of a hidden set."""

    name: str
    key: bytes | None = None

    @property
    def hidden(self) -> bool:
        return self.key is not None

    @property
    def fingerprint(self) -> str:
        """What reports record: "public", or "hidden:<12 hex digits>" (a hash of the key, not the key)."""
        if self.key is None:
            return "public"
        return "hidden:" + hashlib.sha256(b"grader hidden key fingerprint\0" + self.key).hexdigest()[:12]

    def seed(self, *labels) -> int:
        """A 63-bit seed derived from the key and ``labels`` (hidden sets only)."""
        message = "/".join(str(label) for label in labels).encode()
        return int.from_bytes(hmac.new(self.key, message, hashlib.sha256).digest()[:8], "big") >> 1

    def rng(self, *labels) -> np.random.Generator:
        return np.random.default_rng(self.seed(*labels))

    @cached_property
    def _random(self) -> dict[str, list[Case]]:
        if self.key is None:
            return random_cases()
        return random_cases(lambda exercise, draw: self.seed("random", exercise, draw))

    def edge_cases(self, exercise_name: str) -> list[Case]:
        cases = EDGE_CASES[exercise_name]
        if self.key is None:
            return list(cases)
        return [hidden_variant(exercise_name, case, self.rng("edge", exercise_name, index))
                for index, case in enumerate(cases)]

    def random_cases(self, exercise_name: str) -> list[Case]:
        return list(self._random[exercise_name])

    def subsample(self, bank) -> SubsampledBank:
        return SubsampledBank(bank, None if self.key is None else self.rng("bank", bank.provenance.get("key", "")))


PUBLIC = CaseSet("public")


def hidden_case_set(key: bytes) -> CaseSet:
    if len(key) < 16:
        raise GradingError(f"a hidden-case key needs at least 16 bytes, this one has {len(key)}: make one with "
                           "`head -c 32 /dev/urandom > hidden-key`")
    return CaseSet("hidden", bytes(key))


def _default_key_path() -> Path:
    from lesson.config import Settings

    return Path(Settings.from_env().cache_dir) / "grader" / "hidden-key"


def load_hidden_key(path: Path | None = None, *, create: bool = True) -> CaseSet:
    """The hidden case set of the key at ``path`` (else ``$GRADER_HIDDEN_KEY``, else the cache's key file, made
    when missing and ``create``); GradingError saying how to fix it when the key cannot be read."""
    explicit = path is not None or bool(os.environ.get(KEY_ENV))
    path = Path(path if path is not None else os.environ.get(KEY_ENV) or _default_key_path()).expanduser()
    if not path.is_file():
        if explicit or not create:
            raise GradingError(f"no hidden-case key at {path}: give an existing key file (--hidden-key FILE or "
                               f"{KEY_ENV}), or make one with `head -c 32 /dev/urandom > {path}`")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
    try:
        return hidden_case_set(path.read_bytes())
    except OSError as error:
        raise GradingError(f"the hidden-case key {path} cannot be read: {error}") from None
