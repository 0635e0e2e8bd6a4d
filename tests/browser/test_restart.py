"""In Chromium: what a student types in a reflection box survives the app being stopped and started again while
they type, and a reload right after the last key. Skipped like test_e2e.py without /usr/bin/chromium."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_e2e import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CONNECTED,
    PAGES,
    _free_port,
    open_page,
    require_chromium,
    streamlit_server,
    student_env,
    wait_idle,
)

from lesson.reflections import load_answers


def _answer(path: Path, question_id: str) -> str | None:
    try:
        return load_answers(path).get(question_id)
    except Exception:  # noqa: BLE001 (read while being written elsewhere: try again)
        return None


def _wait_for_answer(path: Path, question_id: str, want: str, seconds: float = 60) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _answer(path, question_id) == want:
            return want
        time.sleep(0.3)
    return _answer(path, question_id)


@pytest.mark.browser
def test_typing_through_a_server_restart_and_a_quick_reload_loses_nothing(stand_in_env, bank, tmp_path):
    playwright_api = require_chromium()
    reflections = tmp_path / "reflections.md"
    env = student_env(stand_in_env, tmp_path)
    port, log = _free_port(), tmp_path / "streamlit.log"
    first = "Before the restart."
    during = " Typed while the app was stopped."
    after = " And a last word, then a reload at once."
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            with streamlit_server(env, log, timeout=180, port=port) as url:
                page.goto(url, wait_until="domcontentloaded")
                wait_idle(page, timeout_ms=180_000)
                open_page(page, PAGES[1])
                box = page.locator("textarea.answer").first
                box.click()
                box.press_sequentially(first, delay=20)
                assert _wait_for_answer(reflections, "R1", first) == first, "a pause in typing saves the box"
                box.press_sequentially(during, delay=5)  # and the app is stopped (SIGTERM) right after these keys
            # Stopped: the tab shows Streamlit's connection dialog; the box must keep the text and say it is unsaved.
            on_disk_while_stopped = _answer(reflections, "R1")
            status = page.locator("textarea.answer + .status").first
            if on_disk_while_stopped == first:
                page.wait_for_function("element => element.classList.contains('unsaved')",
                                       arg=status.element_handle(), timeout=30_000)
            warning = status.inner_text()
            with streamlit_server(env, log, timeout=180, port=port):
                page.wait_for_selector(CONNECTED, timeout=180_000)
                resent = _wait_for_answer(reflections, "R1", first + during, seconds=90)
                wait_idle(page)
                kept_in_box = box.input_value()
                status_after = status.inner_text()
                box.click()
                box.press("End")
                box.press_sequentially(after, delay=10)
                page.reload(wait_until="domcontentloaded")  # well within the 0.7 s debounce of the last key
                wait_idle(page, timeout_ms=180_000)
                open_page(page, PAGES[1])
                after_reload = _wait_for_answer(reflections, "R1", first + during + after, seconds=60)
                box_after_reload = page.locator("textarea.answer").first.input_value()
        finally:
            browser.close()
    print(f"\nwhile the app was stopped: the file held {on_disk_while_stopped!r}; the box said {warning!r}")
    if on_disk_while_stopped == first:  # the usual case: the keys came after the last save the app received
        assert "Not saved yet" in warning, "a visible warning while the app is away"
    assert resent == first + during, "the text typed while the app was stopped is sent when it is back"
    assert kept_in_box == first + during, "the box keeps the text through the restart"
    assert "Not saved" not in status_after
    assert after_reload == first + during + after, "a reload right after typing loses no words"
    assert box_after_reload == first + during + after
