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


def _send(app, question_id: str, text: str, base: str | None, at: float):
    """What a box sends, with the text it started from (``base``), as the browser's component does."""
    import json

    element = next(element for element in app.main if element.type == "bidi_component"
                   and element.proto.id.endswith(f"-reflection_{question_id}"))
    states = app._tree.get_widget_states()  # noqa: SLF001 (no public way to drive a custom component)
    state = states.widgets.add()
    state.id = element.proto.id
    state.json_value = json.dumps({"text": {"text": text, "at": at, "base": base}})
    return app._run(states)  # noqa: SLF001


def test_a_save_is_confirmed_to_the_box(app_env):
    app = open_app("first_order")
    _send(app, "R3", "Gain does not matter.", "", 1_900_000_000_001)
    box = reflection_boxes(app)["R3"]
    assert box["ack"] == {"at": 1_900_000_000_001, "text": "Gain does not matter."}
    assert box["session"] and box["store_key"].endswith(":R3")


def test_two_tabs_editing_one_answer_both_keep_their_words(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    first, second = open_app("pca"), open_app("pca")  # both start from an empty R9
    _send(first, "R9", "PCA on all units is slow.", "", 1_900_000_000_010)
    _send(second, "R9", "Sampling keeps memory small.", "", 1_900_000_000_011)  # still based on the empty text
    saved = load_answers(path)["R9"]
    assert "PCA on all units is slow." in saved and "Sampling keeps memory small." in saved
    box = reflection_boxes(second)["R9"]
    assert box["value"] == saved and box["ack"]["text"] == saved  # the second tab is shown both
    assert any("also changed elsewhere" in text for text in texts(second.warning))
    first.run()
    assert reflection_boxes(first)["R9"]["value"] == saved  # the first tab takes the file's new text


def test_text_resent_after_a_restart_is_merged_with_the_file(app_env):
    """A restarted app is a new session: the box resends what it holds with the text it started from."""
    path = Path(app_env["LESSON_REFLECTIONS"])
    save_answers(path, {"R1": "It should fall."})
    app = open_app("network")
    save_answers(path, {"R2": "edited by hand meanwhile"})
    _send(app, "R1", "It should fall, because pooling discards detail.", "It should fall.", 1_900_000_000_020)
    answers = load_answers(path)
    assert answers["R1"] == "It should fall, because pooling discards detail."
    assert answers["R2"] == "edited by hand meanwhile"
    assert_clean(app)


def test_a_latin1_file_is_explained_and_converted_from_the_app(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    path.write_bytes("# Reflections\n\n## R3.\nUn café corrélé\n".encode("latin-1"))
    app = open_app("first_order")
    assert not app.exception
    assert any("not saved as UTF-8" in text for text in texts(app.error))
    app.button(key="convert_reflections_2").click().run()
    assert_clean(app)
    assert load_answers(path)["R3"] == "Un café corrélé"
    assert reflection_boxes(app)["R3"]["value"] == "Un café corrélé"


def test_a_read_only_file_is_not_replaced_and_the_box_says_so(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    save_answers(path, {"R3": "kept"})
    path.chmod(0o444)
    app = open_app("first_order")
    _send(app, "R3", "new words", "kept", 1_900_000_000_030)
    assert any("read-only" in text for text in texts(app.error))
    assert "ack" not in reflection_boxes(app)["R3"] or reflection_boxes(app)["R3"]["ack"] is None
    assert load_answers(path)["R3"] == "kept"


def test_a_hand_written_preamble_and_sections_survive_saves_from_the_app(app_env):
    path = Path(app_env["LESSON_REFLECTIONS"])
    path.write_text("Ada Lovelace, 12345\n\n## Notes\nmine\n\n### r3\nby hand\n", encoding="utf-8")
    app = open_app("first_order")
    assert reflection_boxes(app)["R3"]["value"] == "by hand"
    type_in_box(app, "R4", "Blocks appear.")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("Ada Lovelace, 12345\n\n## Notes\nmine\n\n### r3\nby hand\n")
    assert load_answers(path) == {"R3": "by hand", "R4": "Blocks appear."}
