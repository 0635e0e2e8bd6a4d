"""Fixtures for the grader's tests: case sources on the stand-in bank (small ones for the corpora)."""

from __future__ import annotations

import pytest
from grader_helpers import SmallSource


@pytest.fixture(scope="session")
def reference_source(bank):
    from grader.cases.case_sources import ReferenceSource

    return ReferenceSource.for_bank(bank)


@pytest.fixture(scope="session")
def small_source(reference_source):
    return SmallSource(reference_source)


@pytest.fixture(scope="session")
def tensor_source(reference_source):
    """Edge cases including the torch-tensor ones (no bank cases)."""
    return SmallSource(reference_source, groups=("edge",), tensors=True)


@pytest.fixture(scope="session")
def python(tmp_path_factory):
    """An interpreter with numpy and scipy only (classroom_helpers.grading_only_python), made once."""
    from classroom_helpers import grading_only_python

    return grading_only_python(tmp_path_factory.mktemp("venv") / "grade")


@pytest.fixture(scope="session")
def fixtures_dir(bank, stand_in_settings, tmp_path_factory):
    """Grading fixtures built once from the stand-in bank (issue 6: releases, batch, Gradescope)."""
    from grader.classroom.build import build_fixtures

    folder = tmp_path_factory.mktemp("fixtures")
    build_fixtures(bank, folder, settings=stand_in_settings)
    return folder


@pytest.fixture(scope="session")
def hidden_fixtures_dir(bank, stand_in_settings, tmp_path_factory):
    """Hidden-case fixtures (a fixed test key), as a Gradescope archive ships them (public ones are refused there)."""
    from grader.cases.case_sets import hidden_case_set
    from grader.classroom.build import build_fixtures

    folder = tmp_path_factory.mktemp("hidden-fixtures")
    build_fixtures(bank, folder, settings=stand_in_settings, case_set=hidden_case_set(b"the grader tests' hidden key 32b"))
    return folder
