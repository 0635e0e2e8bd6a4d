"""Hostile submissions: none gets a pass for anything it does not compute, and grading always finishes and reports."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from grader_helpers import SUBMISSIONS

from grader import grade
from grader.running.bubblewrap import BWRAP_VARIABLE, isolation

HOSTILE = SUBMISSIONS / "hostile"
RSA = ["get_similarity_matrix", "extract_lower_tri_entries", "spearman_corrcoef", "second_order_similarity"]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and libc's fork")


@pytest.fixture
def process_isolation_only(monkeypatch):
    """Grade without the bubblewrap sandbox (as where it cannot start): what process isolation alone achieves."""
    monkeypatch.setenv(BWRAP_VARIABLE, "/nonexistent/bwrap")
    assert not isolation().sandboxed


def _grade(source, folder, exercises, **options):
    options.setdefault("time_limit", 10)
    return grade(HOSTILE / folder, exercises, source=source, warm=False, **options)


def _by_name(report):
    return {result.name: result for result in report.exercises}


def test_every_folder_of_the_corpus_is_tested():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert {folder.name for folder in HOSTILE.iterdir() if folder.is_dir()} <= tested


def test_exit_at_import(small_source):
    report = _grade(small_source, "exit_at_import", RSA)
    for result in report.exercises:
        assert (result.passed, result.status, result.score) == (False, "error", 0.0)
        assert "SystemExit" in result.message and "could not be imported" in result.message


def test_os_exit_at_import(small_source):
    started = time.perf_counter()
    report = _grade(small_source, "os_exit_at_import", RSA)
    for result in report.exercises:
        assert (result.passed, result.status, result.score) == (False, "error", 0.0)
        assert "Importing os_exit_at_import/rsa.py stopped" in result.message and "exit code 0" in result.message
    assert time.perf_counter() - started < 8  # one child for the module, not one per exercise


def test_os_exit_in_function(small_source):
    results = _by_name(_grade(small_source, "os_exit_in_function", ["redness", "pick_redness_extrema"]))
    assert (results["redness"].passed, results["redness"].status) == (False, "error")
    assert "exit code 0" in results["redness"].message
    assert results["pick_redness_extrema"].passed  # graded in a new child after the crash


def test_infinite_loop(small_source):
    started = time.perf_counter()
    results = _by_name(_grade(small_source, "infinite_loop", ["redness", "pick_redness_extrema"], time_limit=3))
    assert (results["redness"].passed, results["redness"].status) == (False, "timeout")
    assert "time limit of 3 s" in results["redness"].message and "infinite loop" in results["redness"].message
    assert all(not case.passed for case in results["redness"].cases)
    assert results["pick_redness_extrema"].passed
    assert time.perf_counter() - started < 15


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_CPU: POSIX")
def test_infinite_loop_is_stopped_by_the_processor_time_backstop_when_the_watcher_is_far_off(small_source, monkeypatch):
    import grader.running.sandbox

    # 0.02 CPU seconds per wall second: a backstop of about 1-3 s of CPU time, far below the 60 s wall-time limit
    monkeypatch.setattr(grader.running.sandbox, "CPU_BACKSTOP_FACTOR", 0.02)
    results = _by_name(_grade(small_source, "infinite_loop", ["redness", "pick_redness_extrema"], time_limit=60))
    assert (results["redness"].passed, results["redness"].status) == (False, "error")
    assert "processor-time backstop" in results["redness"].message, results["redness"].message
    assert "time limit of 60 s" not in results["redness"].message  # stopped by the kernel, not by the watcher
    assert all(not case.passed for case in results["redness"].cases)
    assert results["pick_redness_extrema"].passed  # reported, and the next exercise ran in a fresh child


def test_loop_at_import(small_source):
    started = time.perf_counter()
    report = _grade(small_source, "loop_at_import", ["PCA", "components_to_reach"], time_limit=3)
    assert [result.status for result in report.exercises] == ["timeout", "timeout"]
    assert all("Importing loop_at_import/pca.py did not finish" in result.message for result in report.exercises)
    assert time.perf_counter() - started < 12  # the import timed out once, not once per exercise


def test_memory_hog(small_source):
    report = _grade(small_source, "memory_hog", ["get_similarity_matrix"], memory_limit=1 << 30)
    (result,) = report.exercises
    assert (result.passed, result.status) == (False, "memory")
    assert "out of memory" in result.message


def test_shared_memory_hog(small_source):
    """Shared mappings are not data: the address-space backstop (the limit + 4 GiB) refuses 8 GiB of them."""
    report = _grade(small_source, "shared_memory_hog", ["get_similarity_matrix"], memory_limit=1 << 30)
    (result,) = report.exercises
    assert not result.passed and result.score == 0.0
    assert any("raised OSError" in case.message for case in result.cases), result.message


def test_monkeypatch_numpy(small_source):
    (result,) = _grade(small_source, "monkeypatch_numpy", ["get_similarity_matrix"]).exercises
    assert not result.passed and result.score == 0.0 and result.status == "failed"


def test_monkeypatch_builtins(small_source):
    (result,) = _grade(small_source, "monkeypatch_builtins", ["get_similarity_matrix"]).exercises
    assert not result.passed and result.score == 0.0


def test_fake_output(small_source):
    (result,) = _grade(small_source, "fake_output", ["get_similarity_matrix"]).exercises
    assert not result.passed and result.score == 0.0
    assert "Score: 15 / 15" in result.output and "::set-output" in result.output  # shown, never believed


def test_mutate_inputs(small_source):
    results = _by_name(_grade(small_source, "mutate_inputs", ["get_similarity_matrix", "extract_lower_tri_entries",
                                                              "second_order_similarity"]))
    assert not results["get_similarity_matrix"].passed and results["get_similarity_matrix"].score == 0.0
    assert not results["second_order_similarity"].passed
    assert results["extract_lower_tri_entries"].passed  # right answers; its vandalism reaches no other case


def test_ndarray_subclass(small_source):
    (result,) = _grade(small_source, "ndarray_subclass", ["get_similarity_matrix"]).exercises
    assert not result.passed and result.score == 0.0
    assert "subclass of numpy.ndarray" in result.cases[0].message


def test_rigged_eq(small_source):
    (result,) = _grade(small_source, "rigged_eq", ["get_similarity_matrix"]).exercises
    assert not result.passed and result.score == 0.0
    assert "got a rigged_eq.rsa.Rigged; expected a plain numpy array" in result.cases[0].message


def test_number_subclasses(small_source):
    (result,) = _grade(small_source, "number_subclasses", ["components_to_reach"]).exercises
    assert not result.passed and result.score == 0.0
    messages = " ".join(case.message for case in result.cases)
    assert "Always" in messages and "AlwaysInt" in messages and "bool" in messages


def test_ignore_sigterm(small_source):
    started = time.perf_counter()
    (result,) = _grade(small_source, "ignore_sigterm", ["redness"], time_limit=3).exercises
    assert result.status == "timeout" and not result.passed
    assert time.perf_counter() - started < 12


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@linux_only
def test_leave_children(small_source, process_isolation_only):
    pid_file = Path("/tmp/grader-hostile-leave-children.pids")
    pid_file.unlink(missing_ok=True)
    (result,) = _grade(small_source, "leave_children", ["get_similarity_matrix"]).exercises
    assert result.passed  # it computes the right answer; what matters is what it leaves behind
    assert "subprocess.Popen refused" in result.output
    time.sleep(0.5)
    pids = [int(line) for line in pid_file.read_text().split()]
    assert len(pids) >= 3  # plain fork, fork + setsid, double fork (every case started them again)
    assert [pid for pid in pids if _alive(pid)] == []
    pid_file.unlink()


@linux_only
def test_write_report_paths(stand_in_env, tmp_path):
    """Covered through the command line, where report paths exist: see test_cli.py."""
    import test_cli

    test_cli.check_hostile_report_writer(stand_in_env, tmp_path)


def test_import_solutions(small_source):
    (result,) = _grade(small_source, "import_solutions", ["get_similarity_matrix"]).exercises
    assert not result.passed and result.score == 0.0
    assert "WORKED" not in result.output
    for attempt in ("import solutions:", "import solutions.rsa:", "import grader:", "import lesson.data.bank:",
                    "sys.path + meta_path surgery:", "read solutions/rsa.py:"):
        assert f"{attempt} refused" in result.output, result.output


def test_poison_inputs(small_source, tmp_path, process_isolation_only):
    (result,) = _grade(small_source, "poison_inputs", ["redness"]).exercises
    assert "poisoned" in result.output  # it did overwrite the stored inputs ...
    honest = tmp_path / "honest"
    honest.mkdir()
    (honest / "stimuli.py").write_text((HOSTILE / "poison_inputs" / "stimuli.py").read_text().split("def redness")[0]
                                       + "def redness(images):\n"
                                       "    means = np.asarray(images, dtype=float).mean(axis=(2, 3))\n"
                                       "    return means[:, 0] - (means[:, 1] + means[:, 2]) / 2\n")
    (after,) = grade(honest, ["redness"], source=small_source, warm=False).exercises
    assert after.passed, after.message  # ... and the next grading noticed (ctime) and wrote them again
