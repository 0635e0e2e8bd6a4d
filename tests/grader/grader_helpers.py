"""Helpers for the grader's tests: where the corpora live, and a case source restricted to small cases."""

from __future__ import annotations

from pathlib import Path

from grader.cases.case_sources import GROUPS

SUBMISSIONS = Path(__file__).parent / "submissions"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SmallSource:
    """The reference source restricted to some case groups, with or without the torch-tensor cases.

    The wrong and hostile corpora fail (or not) on the small cases already; leaving out the bank cases and the
    torch child keeps each grading well under a second.
    """

    def __init__(self, source, groups=("edge", "random"), tensors=False):
        self.source, self.groups, self.tensors = source, groups, tensors

    def provenance(self) -> dict:
        return self.source.provenance()

    def cases(self, exercise, groups=GROUPS):
        chosen = [group for group in groups if group in self.groups]
        return [case for case in self.source.cases(exercise, chosen) if self.tensors or not case.tensor]


def torch_importable() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None
