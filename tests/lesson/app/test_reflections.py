"""Reflections typed in the app are saved to the file while typing and come back in a new session."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import PAGES, assert_clean, open_app, reflection_boxes, texts, type_in_box

from lesson.reflections import load_answers, save_answers

pytestmark = pytest.mark.usefixtures("app_env")


def test_an_answer_is_saved_as_typed_and_restored_in_a_new_session(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    app = open_app("first_order")
    assert set(reflection_boxes(app)) == {"R3", "R4"}
    type_in_box(app, "R3", "Correlation ignores baseline and gain.")
    assert_clean(app)
    assert load_answers(path)["R3"] == "Correlation ignores baseline and gain."
    assert reflection_boxes(app)["R3"]["status"].startswith("Saved at ")

    fresh = open_app("first_order")  # a new browser session, as after a restart
    boxes = reflection_boxes(fresh)
    assert boxes["R3"]["value"] == "Correlation ignores baseline and gain."
    assert boxes["R4"]["value"] == ""


def test_saving_one_answer_keeps_the_others(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    save_answers(path, {"R1": "written by hand", "R9": "also by hand"})
    app = open_app("first_order")
    type_in_box(app, "R4", "Blocks change from colour to class.")
    answers = load_answers(path)
    assert answers["R1"] == "written by hand" and answers["R9"] == "also by hand"
    assert answers["R4"] == "Blocks change from colour to class."


def test_an_update_that_arrives_late_never_overwrites_newer_text(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    app = open_app("pca")
    type_in_box(app, "R9", "the newer text", at=2_000_000_000_000)
    type_in_box(app, "R9", "an older draft", at=1_999_999_999_999)  # replayed or overtaken on the way
    assert load_answers(path)["R9"] == "the newer text"


def test_own_saves_do_not_reset_the_box_but_an_edit_by_hand_does(app_env):
    """The box keeps what the student types while its saves rerun the page (same version); an answer edited
    in the file by hand is given to the box with a new version, which makes the browser replace its text."""
    path = Path(app_env["LESSON_REFLECTIONS"])
    app = open_app("pca")
    first = reflection_boxes(app)["R9"]["version"]
    type_in_box(app, "R9", "first version")
    assert reflection_boxes(app)["R9"]["version"] == first
    save_answers(path, {**load_answers(path), "R9": "edited in my editor"})
    app.run()
    box = reflection_boxes(app)["R9"]
    assert box["value"] == "edited in my editor" and box["version"] > first


def test_an_answer_survives_a_page_switch(app_env):
    app = open_app("network")
    type_in_box(app, "R1", "It should fall.")
    app.switch_page(PAGES["pca"]).run()
    app.switch_page(PAGES["network"]).run()
    assert reflection_boxes(app)["R1"]["value"] == "It should fall."


def test_the_submit_page_counts_answered_reflections(app_env):
    save_answers(Path(app_env["LESSON_REFLECTIONS"]), {"R1": "yes", "R2": "  ", "R10": "it falls"})
    app = open_app("submit")
    assert "2 of 10 answered" in " ".join(str(bar.proto.text) for bar in app.get("progress"))
    listing = " ".join(texts(app.markdown))
    assert "✅ **R1**" in listing and "⬜ **R2**" in listing and "✅ **R10**" in listing


def test_a_file_that_cannot_be_written_keeps_the_text_and_says_so(app_env, monkeypatch):
    import lesson.reflections

    def refuse(path, changes):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(lesson.reflections, "update_answers", refuse)
    app = open_app("first_order")
    version = reflection_boxes(app)["R3"]["version"]
    type_in_box(app, "R3", "precious words")
    assert not app.exception
    assert any("Could not save this answer" in text for text in texts(app.error))
    assert reflection_boxes(app)["R3"]["version"] == version  # the browser keeps the typed text in the box


def test_malformed_or_stale_updates_are_ignored():
    from lesson.app.answer_box import apply_update

    saved, applied = [], {}

    def save(question_id, text, base, at):
        saved.append((question_id, text))

    assert apply_update({"text": {"text": "half a thou", "at": 5}}, "R3", save, applied)
    assert saved == [("R3", "half a thou")] and applied == {"R3": 5.0}
    for state in (None, {}, {"text": None}, {"text": {"text": "x"}}, {"text": {"text": 3, "at": 9}},
                  {"text": {"text": "x", "at": True}}, {"text": {"text": "same time", "at": 5}}, "text"):
        assert not apply_update(state, "R3", save, applied), state
    assert saved == [("R3", "half a thou")]
