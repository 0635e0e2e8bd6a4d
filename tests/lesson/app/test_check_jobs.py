"""A Check in the background: cancelling kills its grading children; a running Check is never replaced."""

from __future__ import annotations

import time

import pytest

from lesson.app import check_jobs

LOOPING = '''
def get_similarity_matrix(activations):
    while True:
        pass
'''


@pytest.fixture
def reference_source(bank):
    from grader.cases.case_sources import ReferenceSource

    return ReferenceSource.for_bank(bank)


def test_cancel_stops_a_looping_check_and_its_children(tmp_path, reference_source):
    grader = pytest.importorskip("grader")
    (tmp_path / "rsa.py").write_text(LOOPING)
    job = check_jobs.start_job(lambda exercises, **arguments: grader.grade(tmp_path, exercises, **arguments),
                               names=["get_similarity_matrix"], digests={}, source=reference_source,
                               time_limit=60, warm=False)
    deadline = time.monotonic() + 30
    while not check_jobs.grading_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert check_jobs.grading_children(), "the grading started a child process"
    time.sleep(1.0)  # the child is inside the loop now
    cancelled_at = time.monotonic()
    check_jobs.cancel_job(job)
    job.thread.join(timeout=30)
    assert job.done and job.cancelled
    assert time.monotonic() - cancelled_at < 20, "cancelling does not wait for the 60 s time limit"
    time.sleep(0.3)
    assert check_jobs.grading_children() == []


def test_a_job_keeps_its_result_and_its_wall_time():
    job = check_jobs.start_job(lambda exercises, **arguments: time.sleep(0.3) or ("report", exercises), names=["x"],
                               digests={"x": "abc"})
    assert not job.done and job.covers("x") and not job.covers("y")
    job.thread.join(timeout=5)
    assert job.done and job.report == ("report", ["x"]) and job.problem is None
    assert 0.3 <= job.seconds < 3


def test_a_failing_grader_becomes_a_message():
    def broken(exercises, **arguments):
        raise RuntimeError("no bank")

    job = check_jobs.start_job(broken, names=None, digests={})
    job.thread.join(timeout=5)
    assert job.report is None and "The grader could not run: RuntimeError: no bank" in job.problem
