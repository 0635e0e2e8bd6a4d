"""Fixtures for the grader's tests: case sources on the stand-in bank (small ones for the corpora)."""

from __future__ import annotations

import pytest
from grader_helpers import SmallSource


@pytest.fixture(scope="session")
def reference_source(bank):
    from grader.sources import ReferenceSource

    return ReferenceSource.for_bank(bank)


@pytest.fixture(scope="session")
def small_source(reference_source):
    return SmallSource(reference_source)


@pytest.fixture(scope="session")
def tensor_source(reference_source):
    """Edge cases including the torch-tensor ones (no bank cases)."""
    return SmallSource(reference_source, groups=("edge",), tensors=True)
