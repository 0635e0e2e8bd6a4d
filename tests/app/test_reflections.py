"""Reflections typed in the app are saved to the file at once and come back in a new session."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_helpers import PAGES, assert_clean, open_app, texts
from lesson.reflections import load_answers, save_answers

pytestmark = pytest.mark.usefixtures("app_env")


def test_an_answer_is_saved_as_typed_and_restored_in_a_new_session(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    app = open_app("first_order")
    app.text_area(key="reflection_R3").input("Correlation ignores baseline and gain.").run()
    assert_clean(app)
    assert load_answers(path)["R3"] == "Correlation ignores baseline and gain."

    fresh = open_app("first_order")  # a new browser session, as after a restart
    assert fresh.text_area(key="reflection_R3").value == "Correlation ignores baseline and gain."
    assert fresh.text_area(key="reflection_R4").value == ""


def test_saving_one_answer_keeps_the_others(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    save_answers(path, {"R1": "written by hand", "R9": "also by hand"})
    app = open_app("first_order")
    app.text_area(key="reflection_R4").input("Blocks change from colour to class.").run()
    answers = load_answers(path)
    assert answers["R1"] == "written by hand" and answers["R9"] == "also by hand"
    assert answers["R4"] == "Blocks change from colour to class."


def test_an_answer_survives_a_page_switch(app_env):
    app = open_app("network")
    app.text_area(key="reflection_R1").input("It should fall.").run()
    app.switch_page(PAGES["pca"]).run()
    app.switch_page(PAGES["network"]).run()
    assert app.text_area(key="reflection_R1").value == "It should fall."


def test_an_edit_of_the_file_by_hand_shows_up_in_the_box(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    app = open_app("pca")
    app.text_area(key="reflection_R9").input("first version").run()
    save_answers(path, {**load_answers(path), "R9": "edited in my editor"})
    app.run()
    assert app.text_area(key="reflection_R9").value == "edited in my editor"


def test_the_submit_page_counts_answered_reflections(app_env):
    save_answers(Path(app_env["LESSON_REFLECTIONS"]), {"R1": "yes", "R2": "  ", "R10": "it falls"})
    app = open_app("submit")
    assert "2 of 10 answered" in " ".join(str(bar.proto.text) for bar in app.get("progress"))
    listing = " ".join(texts(app.markdown))
    assert "✅ **R1**" in listing and "⬜ **R2**" in listing and "✅ **R10**" in listing


def test_a_file_that_cannot_be_written_keeps_the_text_and_says_so(app_env, monkeypatch):
    import lesson.reflections

    def refuse(path, answers):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(lesson.reflections, "save_answers", refuse)
    app = open_app("first_order")
    app.text_area(key="reflection_R3").input("precious words").run()
    assert not app.exception
    assert any("Could not save this answer" in text for text in texts(app.error))
    assert app.text_area(key="reflection_R3").value == "precious words"
