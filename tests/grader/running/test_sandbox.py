"""The isolation and what students see: a fresh process, nothing of the grader reachable, their own traceback only."""

from __future__ import annotations

import os
import sys
import textwrap
import time

import pytest
from grader_helpers import PROJECT_ROOT, SUBMISSIONS, torch_importable

from grader import grade
from grader.running.bubblewrap import isolation
from grader.running.processes import _standby, keep_warm, shutdown_standby, take_child
from grader.running.sandbox import _package_name

CORRECT_REDNESS = '''
def redness(images):
    means = np.asarray(images, dtype=float).mean(axis=(2, 3))
    return means[:, 0] - (means[:, 1] + means[:, 2]) / 2
'''


def _submit(folder, **modules):
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source))
    return folder


def _grade(source, folder, names, **options):
    return grade(folder, names, source=source, warm=False, time_limit=options.pop("time_limit", 20), **options)


def test_the_child_is_fresh_isolated_and_sees_no_secrets(small_source, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_TEST_SECRET", "s3cret-value")
    folder = _submit(tmp_path / "probe", stimuli="import os, sys, importlib.util\nimport numpy as np\n" + CORRECT_REDNESS +
                     textwrap.dedent('''
                     print("cwd", os.getcwd())
                     print("home", os.environ.get("HOME"))
                     print("isolated", sys.flags.isolated)
                     print("path0", sys.path[0])
                     print("environment", sorted(os.environ))
                     print("secret", os.environ.get("GRADER_TEST_SECRET"))
                     for name in ("solutions", "grader", "lesson"):
                         try:
                             __import__(name)
                             print(name, "importable")
                         except ImportError as error:
                             print(name, "refused:", error)
                     '''))
    (result,) = _grade(small_source, folder, ["redness"]).exercises
    assert result.passed, result.message
    lines = dict(line.split(" ", 1) for line in result.output.splitlines())
    assert lines["secret"] == "None" and "s3cret" not in result.output
    assert lines["isolated"] == "1" and lines["path0"] == str(folder.resolve())
    for key in ("cwd", "home"):
        assert not lines[key].startswith((str(PROJECT_ROOT), str(folder))) and "grader-" in lines[key]
    for name in ("solutions", "grader", "lesson"):
        assert lines[name].startswith("refused:")


def test_exceptions_show_the_students_frames_only(small_source, tmp_path):
    folder = _submit(tmp_path / "raises", pca='''
        import numpy as np


        def _centre(data):
            return np.linalg.svd(data[0])  # a 1-D array: numpy raises deep inside


        def PCA(data_matrix):
            return _centre(np.asarray(data_matrix))
        ''')
    (result,) = _grade(small_source, folder, ["PCA"]).exercises
    message = result.cases[0].message
    assert result.status == "failed" and "Your function raised LinAlgError" in message
    assert "Traceback (your code only)" in message and "pca.py\", line 10, in PCA" in message
    assert "line 6, in _centre" in message and "LinAlgError:" in message
    assert "_child.py" not in message and "/grader/" not in message and "numpy/linalg" not in message


def test_a_syntax_error_is_reported_with_its_line(small_source, tmp_path):
    folder = _submit(tmp_path / "syntax", rsa="import numpy as np\n\ndef get_similarity_matrix(activations)\n    pass\n")
    report = _grade(small_source, folder, ["get_similarity_matrix", "spearman_corrcoef"])
    for result in report.exercises:
        assert (result.status, result.attempted, result.passed) == ("error", True, False)
        assert "could not be imported" in result.message and "SyntaxError" in result.message
        assert "line 3" in result.message and "_child.py" not in result.message


def test_missing_files_functions_and_stubs_are_not_attempted(small_source, tmp_path):
    folder = _submit(tmp_path / "partial", rsa="import numpy as np\n\ndef get_similarity_matrix(a):\n"
                     "    return np.corrcoef(np.asarray(a).reshape(len(a), -1))\n\n"
                     "def spearman_corrcoef(m):\n    raise NotImplementedError('later')\n")
    report = _grade(small_source, folder, ["get_similarity_matrix", "extract_lower_tri_entries", "spearman_corrcoef",
                                           "PCA"])
    results = {result.name: result for result in report.exercises}
    assert results["get_similarity_matrix"].passed
    assert results["extract_lower_tri_entries"].message == ("Not attempted yet: partial/rsa.py has no function "
                                                            "extract_lower_tri_entries: define it with the signature "
                                                            "in the lesson.")
    assert "implement spearman_corrcoef in partial/rsa.py" in results["spearman_corrcoef"].message
    assert "partial/pca.py does not exist" in results["PCA"].message
    for name in ("extract_lower_tri_entries", "spearman_corrcoef", "PCA"):
        assert (results[name].attempted, results[name].status, results[name].score) == (False, "not attempted", 0.0)


def test_the_repositorys_stubs_are_all_not_attempted(small_source):
    report = grade(PROJECT_ROOT / "exercises", source=small_source, warm=False)
    assert all(result.status == "not attempted" and not result.cases for result in report.exercises)


def test_common_wrong_return_values_are_explained(small_source, tmp_path):
    folder = _submit(tmp_path / "returns", stimuli='''
        import numpy as np


        def redness(images):
            means = np.asarray(images).mean(axis=(2, 3))
            result = means[:, 0] - (means[:, 1] + means[:, 2]) / 2


        def pick_redness_extrema(redness, labels, per_class=40, n_extreme=5):
            return [0, 1]
        ''')
    results = {result.name: result for result in _grade(small_source, folder, None).exercises}
    assert "None (did you forget the `return` statement?)" in results["redness"].cases[0].message
    assert "got a list of 2 items; expected a plain numpy array" in results["pick_redness_extrema"].cases[0].message


@pytest.mark.skipif(not torch_importable(), reason="torch is not installed")
def test_returning_a_tensor_is_refused_with_its_type(small_source, tmp_path):
    folder = _submit(tmp_path / "tensor", stimuli='''
        import numpy as np
        import torch


        def redness(images):
            means = torch.as_tensor(np.asarray(images)).mean(dim=(2, 3))
            return means[:, 0] - (means[:, 1] + means[:, 2]) / 2
        ''')
    (result,) = _grade(small_source, folder, ["redness"], time_limit=60).exercises
    assert not result.passed and "got a torch.Tensor; expected a plain numpy array" in result.cases[0].message


@pytest.mark.skipif(not torch_importable(), reason="torch is not installed")
def test_the_memory_limit_counts_data_not_the_libraries_torch_maps(tensor_source):
    """With torch imported a child maps ~3.5 GB of address space but holds ~1 GB of data: a 1.5 GiB limit still
    leaves a correct file room to import scipy and answer its torch-tensor cases (the address space as the limit
    failed them, and so did 4 GiB on a machine with more threads)."""
    folder = SUBMISSIONS / "correct" / "float32_inside"
    report = grade(folder, ["get_similarity_matrix", "spearman_corrcoef", "PCA"], source=tensor_source, warm=False,
                   time_limit=60, memory_limit=1536 << 20)
    assert report.all_passed, [result.message for result in report.exercises]
    assert all(any(case.name.startswith("torch") and case.passed for case in result.cases) for result in report.exercises)


def test_partial_credit_is_proportional_and_said(small_source, tmp_path):
    folder = _submit(tmp_path / "partial_credit", pca='''
        import numpy as np


        def components_to_reach(cumulative_variance_explained, threshold=0.8):
            return int(np.argmax(np.asarray(cumulative_variance_explained) > threshold)) + 1
        ''')
    (result,) = _grade(small_source, folder, ["components_to_reach"]).exercises
    passed = sum(case.passed for case in result.cases)
    assert 0 < passed < len(result.cases)
    # the registry's rule (README, Grading): the points are split over the case groups (edge, random, bank);
    # a group earns its share when all its cases pass
    groups: dict[str, list[bool]] = {}
    for case in result.cases:
        groups.setdefault(case.name.split(":")[0], []).append(case.passed)
    from grader.registry import exercise

    share = exercise("components_to_reach").credit  # group -> its share of the points
    earned = sum(share[group] for group, passes in groups.items() if all(passes))
    assert result.score == round(result.max_score * earned / sum(share[group] for group in groups), 2)
    assert "partial credit" in result.message.lower() and "earns its share" in result.message


def test_helpers_and_relative_imports_inside_the_submission_work(small_source, tmp_path):
    folder = _submit(tmp_path / "helpers_pkg", helpers="import numpy as np\n\ndef channel_means(x):\n"
                     "    return np.asarray(x, dtype=float).mean(axis=(2, 3))\n",
                     stimuli="from helpers import channel_means\nfrom .helpers import channel_means as again\n\n"
                     "def redness(images):\n    means = again(images)\n"
                     "    return means[:, 0] - (means[:, 1] + means[:, 2]) / 2\n")
    (result,) = _grade(small_source, folder, ["redness"]).exercises
    assert result.passed, result.message


def test_each_grading_reads_the_files_current_content(small_source, tmp_path):
    """No stale module or .pyc: a file rewritten within the same second with the same size is graded anew."""
    wrong = "import numpy as np\n" + CORRECT_REDNESS.replace("means[:, 2]) / 2", "means[:, 2]) * 2")
    folder = _submit(tmp_path / "edited", stimuli=wrong)
    assert not _grade(small_source, folder, ["redness"]).exercises[0].passed
    right = wrong.replace("* 2", "/ 2")
    assert len(right) == len(wrong)
    (folder / "stimuli.py").write_text(right)
    assert _grade(small_source, folder, ["redness"]).exercises[0].passed
    assert not (folder / "__pycache__").exists()


def test_output_belongs_to_the_exercise_that_printed_it(small_source, tmp_path):
    redness = CORRECT_REDNESS.replace("    means =", "    print('in redness')\n    means =")
    pick = ("\n\ndef pick_redness_extrema(r, l, per_class=40, n_extreme=5):\n"
            "    print('in pick')\n    raise ValueError('no')\n")
    folder = _submit(tmp_path / "chatty", stimuli="import numpy as np\nprint('importing')\n" + redness + pick)
    results = {result.name: result.output for result in _grade(small_source, folder, None).exercises}
    assert results["redness"].startswith("importing\nin redness") and "in pick" not in results["redness"]
    assert "in pick" in results["pick_redness_extrema"] and "in redness" not in results["pick_redness_extrema"]


def test_package_names_follow_the_folder():
    from pathlib import Path

    assert _package_name(Path("/x/exercises")) == "exercises"
    assert _package_name(Path("/x/student 7")) == "submission" and _package_name(Path("/x/json")) == "submission"


def test_standby_children_wait_and_are_stopped(tmp_path):
    keep_warm(torch=False, memory_limit=1 << 30)
    (child,) = _standby[(False, 1 << 30, isolation().sandboxed)]
    assert child.proc.poll() is None
    assert take_child(torch=False, memory_limit=1 << 30) is child  # handed out once ...
    keep_warm(torch=False, memory_limit=1 << 30)
    replacement = _standby[(False, 1 << 30, isolation().sandboxed)][0]
    assert replacement is not child
    child.discard()
    shutdown_standby()
    time.sleep(0.1)
    assert child.proc.poll() is not None and replacement.proc.poll() is not None and not child.workdir.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_no_process_of_a_grading_survives_it(small_source, tmp_path, monkeypatch):
    from grader.running import processes

    tokens, spawn = [], processes.Child.spawn.__func__

    def recording_spawn(cls, **options):
        child = spawn(cls, **options)
        tokens.append(f"{processes.TOKEN_VARIABLE}={child.token}".encode())
        return child

    monkeypatch.setattr(processes.Child, "spawn", classmethod(recording_spawn))
    folder = _submit(tmp_path / "plain", stimuli="import numpy as np\n" + CORRECT_REDNESS)
    _grade(small_source, folder, ["redness"])
    assert tokens
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environment = handle.read()
        except OSError:
            continue
        survivors += [pid for token in tokens if token in environment]
    assert survivors == []


def test_prewarm_starts_children_and_writes_every_input(reference_source):
    from grader import prewarm
    from grader.registry import EXERCISES
    from grader.running.inputs import STORE

    thread = prewarm(source=reference_source, memory_limit=1 << 31)
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert any(child.proc.poll() is None for child in _standby[(False, 1 << 31, isolation().sandboxed)])
    for exercise in EXERCISES:
        assert all(case in STORE._specs for case in reference_source.cases(exercise))
    shutdown_standby()


def test_importing_the_processes_module_loads_neither_the_engine_nor_numpy():
    import subprocess

    code = ("import sys, grader.running.early_start\n"
            "heavy = [name for name in ('grader.engine', 'grader.cli', 'numpy', 'torch') if name in sys.modules]\n"
            "assert not heavy, heavy\n"
            "from grader import grade, GradingError, EXERCISES\n"  # the package's names still load on use
            "assert callable(grade) and issubclass(GradingError, Exception) and len(EXERCISES) == 8\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_memory_limit_is_read_as_the_cli_reads_it():
    from grader.running.early_start import memory_limit_argument
    from grader.running.processes import DEFAULT_MEMORY_LIMIT

    assert memory_limit_argument(["--submission", "x"]) == DEFAULT_MEMORY_LIMIT
    assert memory_limit_argument(["--memory-limit", "512"]) == 512 << 20
    assert memory_limit_argument(["grade", "--memory-limit=2048"]) == 2048 << 20
    assert memory_limit_argument(["--memory-limit", "0"]) == DEFAULT_MEMORY_LIMIT  # as the CLI: 0 means the default
    assert memory_limit_argument(["--memory-limit", "lots"]) is None
    assert memory_limit_argument(["--memory-limit"]) is None


def test_python_m_grader_starts_the_children_the_cli_then_uses(monkeypatch):
    from grader.cli import _parser
    from grader.running import early_start, processes

    started = []
    monkeypatch.setattr(processes, "keep_warm", lambda **options: started.append(options))
    argv = ["--submission", "somewhere", "--memory-limit", "1536", "--exercise", "redness"]
    early_start.start_children_early(argv)
    wanted = _parser().parse_args(argv).memory_limit << 20  # what grade_command asks take_child for
    assert {(options["torch"], options["memory_limit"]) for options in started} == (
        {(True, wanted), (False, wanted)} if torch_importable() else {(False, wanted)})
    for not_grading in (["batch", "--out", "x"], ["release", "out"], ["--help"], ["--memory-limit", "x"]):
        started.clear()
        early_start.start_children_early(not_grading)
        assert started == [], not_grading


def test_a_one_off_grading_deletes_its_inputs_and_a_kept_one_reuses_them(small_source, tmp_path):
    from grader.running.inputs import STORE

    folder = _submit(tmp_path / "plain", stimuli="import numpy as np\n" + CORRECT_REDNESS)
    cases = small_source.cases(next(item for item in __import__("grader").EXERCISES if item.name == "redness"))
    report = _grade(small_source, folder, ["redness"], keep_inputs=False)
    assert report.exercises[0].passed
    assert not any(case in STORE._specs for case in cases)
    report = _grade(small_source, folder, ["redness"])
    assert report.exercises[0].passed
    kept = [STORE._specs[case] for case in cases if not case.tensor]
    assert kept and all(os.path.exists(spec["args"][0]["array"]) for spec in kept)
