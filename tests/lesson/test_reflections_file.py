"""reflections.md: lenient headings, a verbatim round trip, merged saves from several writers, odd files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lesson.atomic import ReadOnlyFileError
from lesson.curriculum import QUESTIONS
from lesson.reflections import (
    MAX_BYTES,
    ReflectionsFileError,
    answered,
    convert_to_utf8,
    is_placeholder,
    load_answers,
    save_answers,
    update_answers,
)
from lesson.text_merge import merge3

PROJECT_ROOT = Path(__file__).resolve().parents[2]

HAND_EDITED = ("\ufeffAda Lovelace, student 12345\n\n"
               "### R1\nfirst draft\n"
               "##R2: colours\nanswer two\n"
               "## r3\nthree\n## R5 is what I mean\nstill three\n```\n## R4.\n```\n"
               "## Notes\nmy notes\n"
               "## R11\nan extra question of my own\n"
               "# R4 ##\nfour\n### My reasoning\nstill four\n"
               "<!-- a comment of mine -->\n"
               "## R1. Before any analysis\nfinal version\n")


@pytest.fixture
def path(tmp_path) -> Path:
    return tmp_path / "reflections.md"


def test_headings_are_recognised_leniently_and_answers_keep_their_markdown(path):
    path.write_text(HAND_EDITED, encoding="utf-8")
    assert load_answers(path) == {
        "R1": "first draft\n\nfinal version",  # a duplicate heading: the first draft is kept, joined
        "R2": "answer two",
        "R3": "three\n## R5 is what I mean\nstill three\n```\n## R4.\n```",  # a sentence, and a heading in code
        "R4": "four\n### My reasoning\nstill four\n<!-- a comment of mine -->",  # a deeper heading is text
    }


@pytest.mark.parametrize("heading, want", [
    ("## R1", "R1"), ("## R1.", "R1"), ("## R1:", "R1"), ("## R1)", "R1"), ("## R1 - why", "R1"),
    ("##R1", "R1"), ("#R1", "R1"), ("###### r1", "R1"), ("## R01.", "R1"), ("   ## R1", "R1"),
    ("## R1 Before any analysis: do you expect", "R1"),  # the heading the app writes, without the dot
    ("## R1 is my favourite", None), ("## R11", None), ("## R0.", None), ("#hashtag R1", None),
    ("    ## R1", None),  # indented code, not a heading
])
def test_which_lines_are_answer_headings(path, heading, want):
    path.write_text(f"{heading}\nthe answer\n", encoding="utf-8")
    assert load_answers(path) == ({want: "the answer"} if want else {})


def test_saving_keeps_everything_outside_the_answers_verbatim(path):
    path.write_text(HAND_EDITED, encoding="utf-8")
    save_answers(path, {"R9": "nine"})
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HAND_EDITED)  # nothing above changed, the BOM included
    assert load_answers(path)["R9"] == "nine"
    save_answers(path, {"R3": "new three", "R1": "one"})
    text = path.read_text(encoding="utf-8")
    for kept in ("\ufeffAda Lovelace, student 12345\n", "## Notes\nmy notes\n", "## R11\nan extra question of my own\n",
                 "<!-- a comment of mine -->", "##R2: colours\nanswer two\n", "### R1\n"):
        assert kept in text
    assert "first draft" not in text and "final version" not in text  # the joined answer was replaced
    assert load_answers(path) == {"R1": "one", "R2": "answer two", "R3": "new three", "R9": "nine",
                                  "R4": "four\n### My reasoning\nstill four\n<!-- a comment of mine -->"}


@pytest.mark.parametrize("answer", [
    "plain", "two\n\nparagraphs", "- a list\n- of points", "### a sub-heading\ntext", "## R5 is what I mean",
    "```\n## R2.\n```", "## Notes I typed\nin the box", "a line with # hash", "trailing spaces   \nkept inside",
])
def test_what_a_box_sends_reads_back_the_same(path, answer):
    save_answers(path, {"R4": answer, "R5": "next"})
    assert {key: text for key, text in load_answers(path).items() if text} == {"R4": answer.strip(), "R5": "next"}


def test_a_new_file_lists_every_question_and_is_readable_by_others(path):
    save_answers(path, {"R2": "two"})
    text = path.read_text(encoding="utf-8")
    headings = [line.split(".")[0].removeprefix("## ") for line in text.splitlines() if line.startswith("## R")]
    assert headings == [question.id for question in QUESTIONS]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_saving_keeps_the_mode_follows_a_symlink_and_refuses_a_read_only_file(tmp_path):
    target = tmp_path / "elsewhere" / "my-reflections.md"
    target.parent.mkdir()
    target.write_text("## R1\nmine\n", encoding="utf-8")
    target.chmod(0o664)
    link = tmp_path / "reflections.md"
    link.symlink_to(target)
    save_answers(link, {"R2": "two"})
    assert link.is_symlink() and load_answers(target) == {"R1": "mine", "R2": "two"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o664
    target.chmod(0o444)
    with pytest.raises(ReadOnlyFileError, match="read-only.*chmod u\\+w"):
        save_answers(link, {"R2": "changed"})
    assert load_answers(target)["R2"] == "two"


def test_a_latin1_file_is_reported_and_converted(path):
    path.write_bytes("## R1\nUn café, s'il vous plaît\n".encode("latin-1"))
    with pytest.raises(ReflectionsFileError, match="not saved as UTF-8.*Convert to UTF-8") as raised:
        load_answers(path)
    assert raised.value.kind == "encoding"
    convert_to_utf8(path)
    assert load_answers(path) == {"R1": "Un café, s'il vous plaît"}


def test_an_absurdly_large_or_unreadable_file_is_reported(path, tmp_path):
    path.write_bytes(b"## R1\n" + b"x" * (MAX_BYTES + 1))
    with pytest.raises(ReflectionsFileError, match="bytes, far more") as raised:
        load_answers(path)
    assert raised.value.kind == "size"
    folder = tmp_path / "folder" / "reflections.md"
    folder.mkdir(parents=True)
    with pytest.raises(ReflectionsFileError, match="is a folder"):
        load_answers(folder)


@pytest.mark.parametrize("text, want", [
    ("", False), ("TODO", False), ("todo.", False), (".", False), ("<!-- -->", False), ("- ", False),
    ("Write your answer here …", False), ("<!-- TODO --> \n", False), ("It falls.", True), ("42", True),
])
def test_placeholders_do_not_count_as_answered(text, want):
    assert is_placeholder(text) is not want
    assert answered({"R1": text})["R1"] is want
    assert not answered({"R1": QUESTIONS[0].prompt})["R1"]


def test_two_edits_of_one_answer_are_merged_and_neither_is_dropped(path):
    save_answers(path, {"R3": "I think correlation is better"})
    base = "I think correlation is better"
    first = update_answers(path, {"R3": (base, "I think correlation is better because of gain")})["R3"]
    assert not first.merged
    second = update_answers(path, {"R3": (base, "Surely I think correlation is better")})["R3"]
    assert second.merged and not second.overlapped
    assert second.text == "Surely I think correlation is better because of gain"
    third = update_answers(path, {"R3": (second.text, "Surely I think Euclid is better because of gain"),
                                  "R4": (None, "four")})
    clash = update_answers(path, {"R3": (second.text, "Surely I think Pearson is better because of gain")})["R3"]
    assert clash.overlapped and "Euclid" in clash.text and "Pearson" in clash.text
    assert third["R4"].text == "four" and load_answers(path)["R3"] == clash.text


@pytest.mark.parametrize("base, mine, theirs, want", [
    ("a b c", "a X c", "a b c", "a X c"),
    ("a b c", "a b c", "a b Y", "a b Y"),
    ("a b c d", "a X c d", "a b c Y", "a X c Y"),
    ("start", "start mine", "start theirs", "start mine theirs"),
    ("", "mine", "theirs", "mine theirs"),
    # a resend whose base is older than what the file holds (the app stopped before confirming the first save)
    ("", "Before the restart. Typed while it was stopped.", "Before the restart.",
     "Before the restart. Typed while it was stopped."),
    ("a", "a b", "a b c", "a b c"),  # the other side typed on from the same words
    ("a b", "a X", "a Y", "a X Y"),  # different words for the same word: both kept
])
def test_merge3(base, mine, theirs, want):
    assert merge3(base, mine, theirs)[0] == want


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lesson.reflections import update_answers
    path, own, shared, tag, n = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    texts = {own: "", shared: ""}
    for index in range(n):
        changes = {}
        for question_id in (own, shared):
            changes[question_id] = (texts[question_id], f"{texts[question_id]} {tag}{index}".strip())
        saved = update_answers(path, changes)
        texts = {question_id: result.text for question_id, result in saved.items()}
""")


def test_two_processes_saving_300_times_each_lose_no_update(path):
    """Two writers, as two tabs or two app processes: each saves its own question and a shared one 300 times,
    every time from the text its last save returned (as a box does). Nothing either wrote may be missing."""
    n = 300
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), own, "R10", tag, str(n)], env=env)
               for own, tag in (("R1", "a"), ("R2", "b"))]
    assert [writer.wait(timeout=600) for writer in writers] == [0, 0]
    answers = load_answers(path)
    assert answers["R1"].split() == [f"a{index}" for index in range(n)]
    assert answers["R2"].split() == [f"b{index}" for index in range(n)]
    shared = answers["R10"].split()
    assert sorted(shared) == sorted([f"a{index}" for index in range(n)] + [f"b{index}" for index in range(n)])
    assert [word for word in shared if word[0] == "a"] == [f"a{index}" for index in range(n)]  # each in its order


def test_the_grader_grades_the_code_and_notes_an_unreadable_reflections_file(tmp_path):
    from grader.submission import reflections_answered, reflections_problem, submission_hashes

    (tmp_path / "reflections.md").write_bytes("## R1\ncafé\n".encode("latin-1"))
    assert reflections_answered(tmp_path) == {question.id: False for question in QUESTIONS}
    assert "not saved as UTF-8" in reflections_problem(tmp_path)
    assert "reflections.md" in submission_hashes(tmp_path, [])
    (tmp_path / "reflections.md").write_text("## R1\ncafé\n## R2\nTODO\n", encoding="utf-8")
    assert reflections_problem(tmp_path) == ""
    assert reflections_answered(tmp_path)["R1"] and not reflections_answered(tmp_path)["R2"]


def test_python_m_grader_grades_the_code_despite_a_latin1_reflections_file(stand_in_env, tmp_path):
    """The issue's case: `python -m grader` stopped with an internal error (exit 2) and graded nothing."""
    import json

    submission = tmp_path / "exercises"
    submission.mkdir()
    (submission / "rsa.py").write_bytes((PROJECT_ROOT / "exercises" / "rsa.py").read_bytes())
    (tmp_path / "reflections.md").write_bytes("## R1\nUn café\n".encode("latin-1"))
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    done = subprocess.run([sys.executable, "-m", "grader", "--submission", str(submission), "--exercise",
                           "get_similarity_matrix", "--json", str(tmp_path / "report.json")], cwd=PROJECT_ROOT,
                          env={**environment, **stand_in_env}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr  # graded: the stub is not attempted
    assert "Not attempted yet" in done.stdout and "internal error" not in done.stdout + done.stderr
    assert "Reflections file: reflections.md is not saved as UTF-8" in done.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert "Convert to UTF-8" in report["reflections_problem"] and not any(report["reflections"].values())
