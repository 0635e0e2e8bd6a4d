"""No traceback reaches the page: failures become messages that say what to do, and the rest keeps working."""

from __future__ import annotations

import pytest
from app_helpers import PAGES, open_app, reflection_boxes, texts

pytestmark = pytest.mark.usefixtures("app_env")


def test_data_that_cannot_be_had_gives_a_message_and_a_retry_button(monkeypatch):
    import lesson.data.errors

    def unavailable(settings, **_):
        raise lesson.data.errors.SourceUnavailable("pretrained weights were required, but the network is down")

    monkeypatch.setattr(lesson.data.prepare, "prepare_bank", unavailable)
    app = open_app()
    assert not app.exception
    message = " ".join(texts(app.error))
    assert "not available" in message and "the network is down" in message and "LESSON_OFFLINE=1" in message
    assert app.button[0].label == "Try again"


def test_a_failed_build_gives_a_message_not_a_traceback(monkeypatch):
    import lesson.data.errors

    def broken(settings, **_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lesson.data.prepare, "prepare_bank", broken)
    app = open_app()
    assert not app.exception
    assert "could not be prepared" in " ".join(texts(app.error))


def test_an_error_in_one_part_of_a_page_leaves_the_rest_working(monkeypatch):
    import lesson.app.charts

    def broken_chart(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(lesson.app.charts, "small_multiples_chart", broken_chart)
    app = open_app("first_order")
    assert not app.exception
    errors = texts(app.error)
    assert len(errors) == 1 and "first-order matrices" in errors[0] and "boom" in errors[0]
    assert list(reflection_boxes(app)) == ["R3", "R4"]  # still there
    app.switch_page(PAGES["start"]).run()
    assert not app.error


def test_an_error_escaping_a_page_is_caught_by_the_app(monkeypatch):
    import lesson.app.frame

    def broken_header(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(lesson.app.frame, "page_header", broken_header)
    app = open_app("pca")
    assert not app.exception
    assert any("unexpected error" in text and "unexpected" in text for text in texts(app.error))
    assert app.sidebar.button(key="check_all")  # the sidebar is intact


def test_a_grader_that_cannot_run_is_reported(monkeypatch):
    grader = pytest.importorskip("grader")

    def failing(*args, **kwargs):
        raise RuntimeError("no bank for grading")

    monkeypatch.setattr(grader, "grade", failing, raising=False)
    app = open_app("first_order")
    app.button(key="check_get_similarity_matrix").click().run()
    assert not app.exception
    assert any("grader could not run" in text for text in texts(app.error))
