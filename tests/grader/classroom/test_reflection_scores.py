"""The instructors' reflections review: model answers, one page per question, scores read back (reflections_review.py)."""

from __future__ import annotations

import html

import pytest
from classroom_helpers import run_grader_command

from grader.classroom.reflections_review import MODEL_ANSWERS, build_review, load_model_answers, read_scores
from grader.errors import GradingError
from lesson.curriculum import QUESTIONS


def test_model_answers_cover_every_question_with_a_rubric():
    answers = load_model_answers()
    assert set(answers) == {question.id for question in QUESTIONS}
    for question_id, (answer, rubric) in answers.items():
        assert len(answer) > 300 and rubric.startswith("2:") and "0:" in rubric, question_id
    text = " ".join(MODEL_ANSWERS.read_text().split())
    assert "Spearman measures: it correlates ranks, so it cares about rank" in text  # not Pearson, as the original said
    assert "does not fall progressively" in " ".join(answers["R10"][0].split())  # not "progressively decreases"


def _classroom(tmp_path):
    root = tmp_path / "submissions"
    for name, text in (("alice", "## R3\nGain and <b>baseline</b> do not matter.\n\n## R6\nRanks.\n"),
                       ("bob", "## R3\n\n## R6\nPearson is about rank.\n")):
        (root / name / "exercises").mkdir(parents=True)
        (root / name / "reflections.md").write_text(text)
    (root / "carol").mkdir()  # no reflections file at all
    return root


def test_pages_show_every_answer_beside_the_model_answer(tmp_path):
    root = _classroom(tmp_path)
    students = [(path.name, path) for path in sorted(root.iterdir())]
    pages = build_review(students, tmp_path / "review")
    assert [page.name for page in pages] == ["index.html"] + [f"R{number}.html" for number in range(1, 11)]
    page = (tmp_path / "review" / "R3.html").read_text()
    assert html.escape(load_model_answers()["R3"][0]) in page
    assert "Gain and &lt;b&gt;baseline&lt;/b&gt; do not matter." in page and "<b>baseline</b>" not in page
    assert page.count('class="score"') == 3 and page.count("(no answer)") == 2  # bob's empty R3, carol
    assert "1 of 3 answered" in page and "scores-R3.csv" in page
    assert (tmp_path / "review" / "scores.csv").read_text().splitlines()[0] == "student," + ",".join(
        question.id for question in QUESTIONS)


def test_scores_long_and_wide(tmp_path):
    long = tmp_path / "scores-R3.csv"
    long.write_text('student,question,score,comment\n"alice","R3","2","good"\n"bob","R3","0.5",""\n')
    wide = tmp_path / "scores.csv"
    wide.write_text("student,R1,R2,R3,R4,R5,R6,R7,R8,R9,R10\nalice,1,,,,,2,,,,\ncarol,,,,,,,,,,\n")
    assert read_scores([long, wide]) == {"alice": {"R3": 2.0, "R1": 1.0, "R6": 2.0}, "bob": {"R3": 0.5}}


@pytest.mark.parametrize("text, want", [("student,question,score\nalice,R3,5\n", "outside 0 to 2"),
                                        ("student,question,score\nalice,R11,1\n", "'R11' is not a question"),
                                        ("student,question,score\nalice,R1,good\n", "is not a number"),
                                        ("student,question,score\n,R1,1\n", "no student")])
def test_bad_scores_say_what_was_expected(tmp_path, text, want):
    path = tmp_path / "scores.csv"
    path.write_text(text)
    with pytest.raises(GradingError, match=want):
        read_scores([path])


def test_command_and_merge_into_the_gradebook(tmp_path, fixtures_dir, stand_in_env):
    import csv

    root = _classroom(tmp_path)
    done = run_grader_command("reflections", root, "--out", tmp_path / "review", env=stand_in_env)
    assert done.returncode == 0, done.stderr
    assert "Wrote 11 pages for 3 students" in done.stdout
    scores = tmp_path / "scores-R3.csv"
    scores.write_text("student,question,score,comment\nalice,R3,2,\nbob,R3,1,\n")
    done = run_grader_command("batch", root, "--out", tmp_path / "grades", "--fixtures", fixtures_dir,
                              "--reflection-scores", scores, env=stand_in_env)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "grades" / "gradebook.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["alice"]["reflection R3"] == "2.0" and rows["alice"]["final_score"] == "2.0"  # 0 autograded + 2
    assert rows["carol"]["reflection R3"] == "" and rows["carol"]["status"].startswith("not graded")
