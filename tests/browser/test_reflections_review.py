"""The reflections review pages in headless Chromium: answers beside the model answer, scores typed, kept and downloaded.

A full-page screenshot of one question's page is written to LESSON_SCREENSHOT_DIR (default: a temporary folder
that the test prints). Skipped without /usr/bin/chromium unless LESSON_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_e2e import CHROMIUM, CHROMIUM_ARGS, require_chromium

from grader.classroom.reflections_review import build_review, read_scores

ANSWERS = {
    "alice": "Correlation subtracts each image's mean and divides by its spread, so an image that drives the whole "
             "layer harder (gain) or shifts it (baseline) still counts as alike: only the pattern of co-active units "
             "matters.",
    "bob": "Because Euclidean distance is slower.",
    "carol": "",
}


@pytest.mark.browser
def test_reflections_review_page_in_chromium(tmp_path):
    sync_api = require_chromium()
    students = []
    for name, answer in ANSWERS.items():
        folder = tmp_path / "submissions" / name
        (folder / "exercises").mkdir(parents=True)
        (folder / "reflections.md").write_text(f"## R3\n{answer}\n\n## R4\nEarly colour, late classes.\n")
        students.append((name, folder))
    build_review(students, tmp_path / "review")
    screenshot_dir = Path(os.environ.get("LESSON_SCREENSHOT_DIR") or tmp_path / "screenshots")
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto((tmp_path / "review" / "index.html").as_uri())
            page.click("text=R3")
            assert page.url.endswith("R3.html")
            assert "Model answer" in page.inner_text("body") and "subtracts each vector's mean" in page.inner_text(".model")
            assert page.locator("tr[data-student]").count() == 3
            page.fill("tr[data-student='alice'] input.score", "2")
            page.fill("tr[data-student='alice'] input.comment", "clear")
            page.fill("tr[data-student='bob'] input.score", "0")
            assert page.inner_text("#saved").startswith("2 of 3 scored")
            page.reload()  # the scores are kept in the browser while the TA works
            assert page.input_value("tr[data-student='alice'] input.score") == "2"
            page.screenshot(path=str(screenshot_dir / "reflections-review-R3.png"), full_page=True)
            with page.expect_download() as download_info:
                page.click("text=Download scores-R3.csv")
            download = download_info.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
        finally:
            browser.close()
    print(f"screenshot: {screenshot_dir / 'reflections-review-R3.png'}")
    assert saved.name == "scores-R3.csv"
    assert read_scores([saved]) == {"alice": {"R3": 2.0}, "bob": {"R3": 0.0}}
    assert '"alice","R3","2","clear"' in saved.read_text()
    assert not errors, errors
