"""Rosters of GitHub Classroom, Canvas and Moodle, joined to student folders (grader/classroom/roster.py)."""

from __future__ import annotations

import csv

import pytest

from grader.classroom.gradebook import StudentRow, write_gradebook, write_lms_grades
from grader.classroom.roster import join_folders, load_roster
from grader.errors import GradingError

CLASSROOM = ('"identifier","github_username","github_id","name"\n"alice@uni.edu","alice-w","101","Alice Wong"\n'
             '"s2","al","102","Al Bo"\n"s3","carol","","Carol Diaz"\n')
CANVAS = ("Student,ID,SIS User ID,SIS Login ID,Section,AlexNet lesson (77)\n"
          "    Points Possible,,,,,15\n\"Wong, Alice\",5001,S100,awong,Sec 1,\n\"Diaz, Carol\",5002,S200,cdiaz,Sec 2,\n"
          "Test Student,5999,,,,\n")
MOODLE = ("First name,Last name,ID number,Institution,Department,Email address\n"
          "Alice,Wong,M-1,,,alice@uni.edu\nCarol,Diaz,M-2,,,cdiaz@uni.edu\n")


def _roster(tmp_path, text):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return load_roster(path)


@pytest.mark.parametrize("text, source, count", [(CLASSROOM, "github-classroom", 3), (CANVAS, "canvas", 2),
                                                 (MOODLE, "moodle", 2)])
def test_formats_are_recognised(tmp_path, text, source, count):
    students = _roster(tmp_path, text)
    assert len(students) == count and {student.source for student in students} == {source}


def test_unknown_roster_says_what_it_expected(tmp_path):
    with pytest.raises(GradingError, match="which match no known export.*github-classroom: identifier, github_username"):
        _roster(tmp_path, "who,what\n1,2\n")


def test_classroom_repositories_join_by_username_suffix(tmp_path):
    roster = _roster(tmp_path, CLASSROOM)
    join = join_folders(["lesson-alice-w", "lesson-al", "lesson-zed", "s2-copy"], roster)
    assert join.matched["lesson-alice-w"].name == "Alice Wong"  # the longest key wins over "al"... and "w"
    assert join.matched["lesson-al"].name == "Al Bo"
    assert dict(join.unmatched_folders) == {"lesson-zed": "no roster entry matches this folder name",
                                            "s2-copy": "no roster entry matches this folder name"}
    assert [student.name for student in join.unmatched_students] == ["Carol Diaz"]


def test_canvas_and_moodle_join_by_login_id_and_email(tmp_path):
    canvas = join_folders(["awong", "hw-S200"], _roster(tmp_path, CANVAS))
    assert canvas.matched["awong"].lms_id == "5001" and canvas.matched["hw-S200"].sis_login_id == "cdiaz"
    moodle = join_folders(["hw-cdiaz", "M-1"], _roster(tmp_path, MOODLE))
    assert moodle.matched["hw-cdiaz"].id_number == "M-2" and moodle.matched["M-1"].email == "alice@uni.edu"


def test_a_folder_matching_two_students_is_not_guessed(tmp_path):
    roster = _roster(tmp_path, '"identifier","github_username","github_id","name"\n"x","bo","1","A"\n"y","bo","2","B"\n')
    join = join_folders(["hw-bo"], roster)
    assert not join.matched and "more than one student (A, B)" in join.unmatched_folders[0][1]


def test_gradebook_and_lms_files(tmp_path):
    roster = _roster(tmp_path, CANVAS)
    rows = [StudentRow("awong", "graded", {"PCA": 3.0}, 12.0, 15.0, 4, penalty=0.1, total_after_penalty=10.8),
            StudentRow("=stranger", "graded", {}, 1.0, 15.0)]
    join = join_folders([row.student for row in rows], roster)
    write_gradebook(rows, tmp_path / "gradebook.csv", join=join, reflection_scores={"awong": {"R1": 2.0, "R3": 1.5}})
    with open(tmp_path / "gradebook.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["name"] == "Wong, Alice" and table[0]["student_id"] == "S100"
    assert table[0]["late_penalty"] == "10%" and table[0]["reflection R3"] == "1.5"
    assert float(table[0]["final_score"]) == pytest.approx(10.8 + 3.5)
    assert table[1]["student"] == "'=stranger" and table[1]["name"] == "(not in the roster)"
    assert table[2]["name"] == "Diaz, Carol" and table[2]["status"].startswith("no submission")
    write_lms_grades(rows, tmp_path, join, assignment="AlexNet lesson (77)",
                     reflection_scores={"awong": {"R1": 2.0, "R3": 1.5}})
    canvas = (tmp_path / "canvas_grades.csv").read_text().splitlines()
    assert canvas == ["Student,ID,SIS User ID,SIS Login ID,Section,AlexNet lesson (77)",
                      '"Wong, Alice",5001,S100,awong,Sec 1,14.3']  # Carol has no folder: left out, never a 0
    assert (tmp_path / "gradescope_grades.csv").read_text().splitlines()[0] == "Name,Email,SID,Total Score"
