"""The bubblewrap sandbox of each grading child, the honest fallback without it, and --require-sandbox."""

from __future__ import annotations

import json
import os
import sys
import textwrap

import pytest
from classroom_helpers import run_grader_command as _grader
from grader_helpers import PROJECT_ROOT, SUBMISSIONS

from grader import grade
from grader.reports import gradescope_results, junit_xml, render_text, report_to_json
from grader.running.bubblewrap import BWRAP_VARIABLE, NOBODY, SANDBOX_DESCRIPTION, isolation

linux_with_sandbox = pytest.mark.skipif(not isolation().sandboxed and not os.environ.get("LESSON_REQUIRE_SANDBOX"),
                                        reason=f"no sandbox here ({isolation().description})")
PROBE = '''
import os, socket, sys
import numpy as np

print("uid", os.getuid(), os.getgid())
print("root", sorted(os.listdir("/")))
print("etc", sorted(os.listdir("/etc")))
print("tmp", sorted(os.listdir("/tmp")))
print("project", sorted(os.listdir(REPOSITORY)) if os.path.exists(REPOSITORY) else "absent")
print("processes", sorted(name for name in os.listdir("/proc") if name.isdigit()))
try:
    open(__file__, "a").close()
    print("copy writable")
except OSError as error:
    print("copy read-only", type(error).__name__)
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1)
    print("network reachable")
except OSError as error:
    print("network unreachable", type(error).__name__)


def redness(images):
    means = np.asarray(images, dtype=float).mean(axis=(2, 3))
    return means[:, 0] - (means[:, 1] + means[:, 2]) / 2
'''


@pytest.fixture
def no_bwrap(monkeypatch):
    monkeypatch.setenv(BWRAP_VARIABLE, "/nonexistent/bwrap")


@linux_with_sandbox
def test_the_sandboxed_child_sees_only_python_and_its_own_copy(small_source, tmp_path):
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "stimuli.py").write_text(f"REPOSITORY = {str(PROJECT_ROOT)!r}\n" + textwrap.dedent(PROBE))
    report = grade(folder, ["redness"], source=small_source, warm=False)
    (result,) = report.exercises
    assert result.passed, result.message
    lines = dict(line.split(" ", 1) for line in result.output.splitlines())
    assert report.isolation == SANDBOX_DESCRIPTION
    assert lines["uid"] == f"{NOBODY} {NOBODY}"
    assert set(eval(lines["root"])) <= {"usr", "lib", "lib64", "lib32", "libx32", "etc", "proc", "dev", "tmp",
                                        "grading"} | _python_tops() and "bin" not in eval(lines["root"])
    assert eval(lines["etc"]) == ["ld.so.cache"]  # no passwd, no shadow, no configuration
    assert _repository_hidden(lines["project"])  # nothing of the instructor's repository is inside
    assert len(eval(lines["processes"])) <= 3  # its own pid namespace: bwrap and the child
    assert lines["copy"].startswith("read-only")  # the copy is the grader's, the student's code cannot edit it
    assert lines["network"].startswith("unreachable")
    # its own folder and the inputs only (and the path to Python, for a checkout with its virtualenv under /tmp)
    assert all(name.startswith("grader-") or name in _python_tops("/tmp") for name in eval(lines["tmp"]))
    assert (folder / "stimuli.py").read_text().startswith("REPOSITORY")



def _python_tops(below: str = "/") -> set[str]:
    """The first folders below ``below`` on the way to where this Python and its packages live (/usr, or e.g.
    /check for a checkout there with its virtualenv inside): the sandbox shows the path to them, nothing else."""
    import sysconfig

    folders = [sys.prefix, sys.base_prefix] + [sysconfig.get_paths()[name] for name in ("stdlib", "purelib", "platlib")]
    paths = {path for folder in folders for path in (folder, os.path.realpath(folder))}
    return {os.path.relpath(path, below).split(os.sep)[0] for path in paths if path.startswith(below.rstrip("/") + "/")}


def _repository_hidden(listing: str) -> bool:
    """The repository is absent inside, or (when the virtualenv lives in it, as ./run-tests makes it) only the path
    to the virtualenv's libraries exists: no solutions/, grader/, tests/ or reports."""
    return listing == "absent" or set(eval(listing)) <= {".venv"}


def test_without_bwrap_grading_still_works_and_every_report_says_so(small_source, tmp_path, no_bwrap):
    found = isolation()
    assert not found.sandboxed and found.description == ("process isolation only: bubblewrap (bwrap) is not "
                                                         "installed at /nonexistent/bwrap")
    report = grade(SUBMISSIONS / "correct" / "float32_inside", ["redness"], source=small_source, warm=False)
    assert report.all_passed and report.isolation == found.description
    assert f"Isolation: {found.description}" in render_text(report)
    assert report_to_json(report)["isolation"] == found.description
    assert found.description in gradescope_results(report)["output"]
    assert f'name="isolation" value="{found.description}"' in junit_xml(report)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bubblewrap is Linux-only")
def test_a_bwrap_that_cannot_start_is_reported_with_what_failed(monkeypatch):
    monkeypatch.setenv(BWRAP_VARIABLE, "/bin/false")  # like bwrap where namespaces are refused: it exits at once
    found = isolation()
    assert not found.sandboxed
    assert found.description == "process isolation only: bubblewrap could not start here (exit code 1)"


def test_require_sandbox_refuses_to_grade_without_it(tmp_path, stand_in_env):
    done = _grader("--submission", SUBMISSIONS / "correct" / "float32_inside", "--exercise", "redness",
                   "--require-sandbox", "--json", tmp_path / "report.json",
                   env={**stand_in_env, BWRAP_VARIABLE: "/nonexistent/bwrap"})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "requires the bubblewrap sandbox" in done.stderr and "apt-get install bubblewrap" in done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert "bubblewrap (bwrap) is not installed" in report["error"] and report["exercises"] == []


def test_batch_and_instructor_require_it_unless_told_not_to(tmp_path, fixtures_dir, stand_in_env):
    root = tmp_path / "class"
    (root / "alice").mkdir(parents=True)
    for path in (SUBMISSIONS / "correct" / "float32_inside").glob("*.py"):
        (root / "alice" / path.name).write_bytes(path.read_bytes())
    env = {**stand_in_env, BWRAP_VARIABLE: "/nonexistent/bwrap"}
    for command in (("batch", root, "--out", tmp_path / "out"), ("instructor", root / "alice")):
        done = _grader(*command, "--fixtures", fixtures_dir, env=env)
        assert done.returncode == 2 and "apt-get install bubblewrap" in done.stderr, done.stderr
    done = _grader("batch", root, "--out", tmp_path / "out", "--fixtures", fixtures_dir, "--no-require-sandbox", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "alice" / "report.json").read_text())
    assert report["score"] == 15 and report["isolation"].startswith("process isolation only: bubblewrap (bwrap) is not")


@linux_with_sandbox
def test_the_user_namespace_way_grades_too(small_source, tmp_path, monkeypatch):
    """How bwrap runs for a user who is not root (and for root where only a user namespace is allowed)."""
    from dataclasses import replace

    from grader.running import processes

    monkeypatch.setattr(processes, "isolation", lambda: replace(isolation(), drop_to_nobody=False))
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "stimuli.py").write_text(f"REPOSITORY = {str(PROJECT_ROOT)!r}\n" + textwrap.dedent(PROBE))
    (result,) = grade(folder, ["redness"], source=small_source, warm=False).exercises
    assert result.passed, result.message
    lines = dict(line.split(" ", 1) for line in result.output.splitlines())
    assert lines["uid"] == f"{NOBODY} {NOBODY}" and _repository_hidden(lines["project"])
    assert lines["network"].startswith("unreachable")
