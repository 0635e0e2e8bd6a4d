"""The curriculum is the one list: the app's pages, the grader's registry, the stubs and the README follow it."""

from __future__ import annotations

from pathlib import Path

import pytest

from lesson import curriculum

ROOT = Path(__file__).resolve().parent.parent


def test_the_grader_grades_exactly_the_curriculum_exercises():
    from grader.registry import EXERCISES

    assert sorted(exercise.name for exercise in EXERCISES) == sorted(curriculum.EXERCISES_BY_NAME)
    for graded in EXERCISES:
        taught = curriculum.EXERCISES_BY_NAME[graded.name]
        assert graded.module == taught.module
        assert graded.taught_on == curriculum.page(taught.page).label


def test_every_page_file_exists_and_every_exercise_and_question_has_a_lesson_page():
    for item in curriculum.PAGES:
        assert (ROOT / "lesson" / "app" / "lesson_pages" / item.file).is_file(), item.file
    lesson_pages = {item.number for item in curriculum.LESSON_PAGES}
    assert {exercise.page for exercise in curriculum.EXERCISES} <= lesson_pages
    assert {question.page for question in curriculum.QUESTIONS} <= lesson_pages
    assert [question.id for question in curriculum.QUESTIONS] == [f"R{number}" for number in range(1, 11)]


@pytest.mark.parametrize("item", curriculum.LESSON_PAGES, ids=lambda item: item.file)
def test_each_page_shows_the_checks_and_questions_the_curriculum_gives_it(item):
    source = (ROOT / "lesson" / "app" / "lesson_pages" / item.file).read_text()
    assert f'check_widget.page_checks(ctx, "{item.number}")' in source, item.file  # its Check buttons
    if curriculum.questions_on(item.number):
        assert f'answer_box.reflection_boxes(ctx, "{item.number}")' in source, item.file


def test_the_readme_page_table_names_each_page_its_exercises_and_questions():
    readme = (ROOT / "README.md").read_text()
    for item in curriculum.LESSON_PAGES:
        row = next(line for line in readme.splitlines() if line.startswith(f"| {item.number} {item.title} |"))
        for exercise in curriculum.exercises_on(item.number):
            assert f"`{exercise.name}`" in row, (row, exercise.name)
        ids = [question.id[1:] for question in curriculum.questions_on(item.number)]
        assert f"reflections {ids[0]}–{ids[-1]}" in row, row


def test_page_lookup_names_the_valid_pages():
    with pytest.raises(KeyError, match="the pages are 0, 1, 2, 3, 4, 5"):
        curriculum.page("7")
