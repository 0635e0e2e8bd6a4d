"""The Check flow through the real grader: passing, not attempted, failing and broken submissions."""

from __future__ import annotations

import pytest
from app_helpers import PAGES, assert_clean, open_app, texts, write_solutions

pytestmark = pytest.mark.usefixtures("app_env")

WRONG_SIMILARITY = '''
import numpy as np


def get_similarity_matrix(activations):
    print("my debug line")
    flat = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    return flat @ flat.T  # forgot to centre and normalise: not a correlation
'''


@pytest.fixture(autouse=True)
def _needs_grader():
    grader = pytest.importorskip("grader")
    if not hasattr(grader, "grade"):
        pytest.skip("the grader package has no grade() yet")


def _check(app, name: str):
    app.button(key=f"check_{name}").click().run()
    return app


def _captions(app) -> str:
    return " ".join(texts(app.caption))


def _progress_line(app, name: str) -> str:
    markdown = " ".join(texts(app.sidebar.markdown))
    return next(line for line in markdown.split("\n") if f"`{name}`" in line)


def test_a_passing_submission_passes_and_the_plots_use_it(exercises_dir):
    write_solutions(exercises_dir)
    app = open_app("first_order")
    assert "reference solution" in _captions(app)
    _check(app, "get_similarity_matrix")
    assert_clean(app)
    assert any("Passed" in text for text in texts(app.success))
    assert _progress_line(app, "get_similarity_matrix").startswith("✅")
    assert "Computed with **your** `get_similarity_matrix`" in _captions(app)
    assert "Ran in: bubblewrap sandbox." in _captions(app) or "Ran in: process isolation only: " in _captions(app)
    # the student can switch to the reference to compare
    app.toggle(key="reference_section2").set_value(True).run()
    assert "Computed with the **reference solution**" in _captions(app)
    assert_clean(app)


def test_a_pass_lasts_while_the_function_and_what_it_uses_are_unchanged(exercises_dir):
    write_solutions(exercises_dir)
    app = _check(open_app("first_order"), "get_similarity_matrix")
    rsa = exercises_dir / "rsa.py"
    with open(rsa, "a") as file:  # a comment and another function: get_similarity_matrix is untouched
        file.write("\n# an edit after the check\n\ndef my_helper():\n    return 1\n")
    app.run()
    assert _progress_line(app, "get_similarity_matrix").startswith("✅")
    rsa.write_text(rsa.read_text().replace("def get_similarity_matrix(activations):",
                                           "def get_similarity_matrix(activations):\n    activations = activations"))
    app.run()
    assert _progress_line(app, "get_similarity_matrix").startswith("🔄")
    assert any("changed since it passed" in text for text in texts(app.info))
    assert "reference solution" in _captions(app)


def test_check_results_survive_a_new_session_and_editing_another_function(exercises_dir):
    write_solutions(exercises_dir)
    app = _check(open_app("second_order"), "extract_lower_tri_entries")
    assert _progress_line(app, "extract_lower_tri_entries").startswith("✅")
    rsa = exercises_dir / "rsa.py"
    rsa.write_text(rsa.read_text().replace("def second_order_similarity(similarity_matrices):",
                                           "def second_order_similarity(similarity_matrices):\n    pass"))
    fresh = open_app("second_order")  # a reload, a new tab or a restarted app: a new session
    assert_clean(fresh)
    assert _progress_line(fresh, "extract_lower_tri_entries").startswith("✅")
    assert any("Passed" in text for text in texts(fresh.success))
    assert "1 of 8" in " ".join(str(bar.proto.text) for bar in fresh.sidebar.get("progress"))


def test_the_stubs_are_not_attempted():
    app = _check(open_app("first_order"), "get_similarity_matrix")
    assert_clean(app)
    assert any("Not attempted" in text for text in texts(app.info))
    assert _progress_line(app, "get_similarity_matrix").startswith("⬜")
    assert "reference solution" in _captions(app)


def test_a_wrong_implementation_fails_with_the_grader_message_and_its_output(exercises_dir):
    (exercises_dir / "rsa.py").write_text(WRONG_SIMILARITY)
    app = _check(open_app("first_order"), "get_similarity_matrix")
    assert not app.exception
    failures = texts(app.error)
    assert len(failures) == 1 and "Failed" in failures[0]
    assert len(failures[0]) > len("**Failed** · 0 / 3 points. ")  # the grader's explanation is shown
    assert any("my debug line" in block.value for block in app.code)  # what the student's code printed
    assert _progress_line(app, "get_similarity_matrix").startswith("❌")
    assert "reference solution" in _captions(app)


def test_a_syntax_error_is_reported_and_the_rest_of_the_app_keeps_working(exercises_dir):
    (exercises_dir / "rsa.py").write_text("def get_similarity_matrix(activations)\n    return 1\n")
    app = _check(open_app("first_order"), "get_similarity_matrix")
    assert not app.exception
    assert any("syntax error on line 1" in text for text in texts(app.warning))  # shown before any Check
    message = " ".join(texts(app.error) + texts(app.warning))
    assert "line 1" in message
    assert len(app.get("vega_lite_chart")) == 2  # the reference plots still render
    # the contract still shows (from the reference: the student's file does not parse)
    assert any("def get_similarity_matrix(activations):" in block.value for block in app.code)


def test_check_all_fills_the_progress_and_the_submit_page(exercises_dir):
    write_solutions(exercises_dir)
    app = open_app("submit")
    app.sidebar.button(key="check_all").click().run()
    assert_clean(app)
    table = app.dataframe[0].value
    assert set(table["status"]) == {"passed"}
    assert any("8 of 8 exercises pass" in text for text in texts(app.success))
    assert "8 of 8" in " ".join(str(bar.proto.text) for bar in app.sidebar.get("progress"))
    app.switch_page(PAGES["pca"]).run()
    assert "Computed with **your** `PCA`, `components_to_reach`" in _captions(app)
    assert_clean(app)


def test_function_digest_follows_what_the_function_uses(tmp_path):
    from lesson.student_code import function_digest

    path = tmp_path / "rsa.py"
    original = ('"""My file."""\nimport numpy as np\n\nSCALE = 2\n\n\ndef _helper(x):\n    return x * SCALE\n\n\n'
                'def wanted(x):\n    """Doc."""\n    return _helper(np.asarray(x))\n\n\ndef other():\n    return 1\n')
    path.write_text(original)
    digest = function_digest(path, "wanted")
    unchanged = [original.replace("return 1", "return 2"),  # another function
                 original.replace('"""Doc."""', '"""Another docstring."""'),
                 original + "\n# a comment\n\nif __name__ == '__main__':\n    print(wanted(1))\n",
                 original.replace("    return x * SCALE", "    # doubles\n    return x*SCALE")]
    changed = [original.replace("SCALE = 2", "SCALE = 3"), original.replace("x * SCALE", "x + SCALE"),
               original.replace("import numpy as np", "import numpy as np\nimport math"),
               original + "\nnp.asarray = list\n"]
    for source in unchanged:
        path.write_text(source)
        assert function_digest(path, "wanted") == digest, source
    for source in changed:
        path.write_text(source)
        assert function_digest(path, "wanted") != digest, source
    path.write_text("def wanted(:\n")
    assert function_digest(path, "wanted").startswith("unparsed:")
    assert function_digest(tmp_path / "none.py", "wanted") == "missing"


RAISING_SIMILARITY = '''
import numpy as np


def get_similarity_matrix(activations):
    flat = np.asarray(activations, dtype=float)
    return np.corrcoef(flat.reshape(len(flat), -1).T[5000])  # an index past the units: IndexError
'''

WARNING_SIMILARITY = '''
import numpy as np


def get_similarity_matrix(activations):
    flat = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    centred = flat - flat.mean(axis=1, keepdims=True)
    unit = centred / np.linalg.norm(centred, axis=1, keepdims=True)  # 0 / 0 for a constant row: numpy warns
    return unit @ unit.T
'''


def test_a_traceback_is_shown_as_code_with_the_students_line_and_the_score_once(exercises_dir):
    (exercises_dir / "rsa.py").write_text(RAISING_SIMILARITY)
    app = _check(open_app("first_order"), "get_similarity_matrix")
    assert not app.exception
    code = [block.value for block in app.code if "Traceback (your code only)" in block.value]
    assert code and "flat.reshape(len(flat), -1).T[5000]" in code[0] and "IndexError" in code[0]
    page_text = " ".join(texts(app.error) + texts(app.markdown))
    assert "Traceback (your code only)" not in page_text  # the traceback is code, not a paragraph
    (failure,) = texts(app.error)
    assert failure.count("points") == 1 and "Score:" not in failure
    assert any(text.startswith("Checked in ") and "0.0 s" not in text for text in texts(app.caption))


def test_numpys_warning_on_a_constant_row_is_explained_not_blamed(exercises_dir):
    (exercises_dir / "rsa.py").write_text(WARNING_SIMILARITY)
    app = _check(open_app("first_order"), "get_similarity_matrix")
    assert any("Passed" in text for text in texts(app.success)), texts(app.error)
    assert any("invalid value encountered" in block.value for block in app.code)
    assert any("come from numpy, not from a mistake of yours" in text for text in texts(app.info))
