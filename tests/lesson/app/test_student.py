"""Loading the student's files: always the current bytes, friendly errors with the line, contracts from the stubs."""

from __future__ import annotations

import inspect

import pytest
from app_helpers import PROJECT_ROOT

from lesson.curriculum import EXERCISES, EXERCISES_BY_NAME
from lesson.references import reference_function
from lesson.student_code import StudentCodeError, contract, file_digest, load_function, load_module


def test_every_exercise_has_a_reference_and_a_stub_with_its_contract():
    assert len(EXERCISES) == 8 and {exercise.page for exercise in EXERCISES} == {"1", "2", "3", "4"}
    for exercise in EXERCISES:
        function = reference_function(exercise)
        assert function.__name__ == exercise.name
        stub = contract(exercise, PROJECT_ROOT / "exercises" / f"{exercise.module}.py")
        assert stub.docstring == inspect.getdoc(function)
        assert stub.signature.startswith(f"def {exercise.name}(")


def test_a_file_is_reloaded_from_its_current_bytes(tmp_path):
    path = tmp_path / "rsa.py"
    path.write_text("def get_similarity_matrix(a):\n    return 1\n\ndef helper():\n    return 0\n")
    first = load_module(path, file_digest(path))
    path.write_text("def get_similarity_matrix(a):\n    return 2\n")  # same second, different content
    second = load_module(path, file_digest(path))
    assert first.get_similarity_matrix(None) == 1 and second.get_similarity_matrix(None) == 2
    assert not hasattr(second, "helper")  # a deleted function is gone (importlib.reload would keep it)


def test_a_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "pca.py"
    path.write_text("import numpy as np\n\ndef PCA(x)\n    return x\n")
    with pytest.raises(StudentCodeError, match="syntax error on line 3") as caught:
        load_module(path)
    assert caught.value.line == 3


def test_an_error_while_loading_names_the_line(tmp_path):
    path = tmp_path / "stimuli.py"
    path.write_text("import numpy as np\nvalue = 1 / 0\n")
    with pytest.raises(StudentCodeError, match=r"line 2: ZeroDivisionError") as caught:
        load_module(path)
    assert caught.value.line == 2


def test_a_missing_module_import_is_explained(tmp_path):
    path = tmp_path / "rsa.py"
    path.write_text("import not_a_real_module_anywhere\n")
    with pytest.raises(StudentCodeError, match="ModuleNotFoundError"):
        load_module(path)


def test_a_missing_function_or_file_is_explained(tmp_path):
    path = tmp_path / "rsa.py"
    path.write_text("def something_else():\n    pass\n")
    with pytest.raises(StudentCodeError, match=r"no function get_similarity_matrix\(\)"):
        load_function(path, "get_similarity_matrix")
    with pytest.raises(StudentCodeError, match="There is no file"):
        load_module(tmp_path / "pca.py")
    assert file_digest(tmp_path / "pca.py") == "missing"


def test_a_sibling_module_can_be_imported(tmp_path):
    (tmp_path / "my_helpers.py").write_text("def twice(x):\n    return 2 * x\n")
    path = tmp_path / "pca.py"
    path.write_text("from my_helpers import twice\n\ndef components_to_reach(c, threshold=0.8):\n    return twice(1)\n")
    assert load_function(path, "components_to_reach")([1.0]) == 2


def test_the_contract_comes_from_the_reference_when_the_file_is_broken(tmp_path):
    path = tmp_path / "rsa.py"
    path.write_text("def get_similarity_matrix(activations:\n")
    exercise = EXERCISES_BY_NAME["get_similarity_matrix"]
    spec = contract(exercise, path)
    assert spec.signature == "def get_similarity_matrix(activations):"
    assert "Pearson correlation" in spec.docstring
