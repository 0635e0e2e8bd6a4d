"""End to end: a real `streamlit run lesson/app/main.py` on a loopback port, driven by headless Chromium (Playwright).

Every page opens from the sidebar, every chart renders (a canvas or svg inside each Vega-Lite element), no
exception element and no browser console error appear, and a full-page screenshot of each page is written to a
folder that the test prints (LESSON_SCREENSHOT_DIR overrides it). The optional "Beyond the lesson" controls are
used too: Euclidean distance, the untrained network, a wrong and a good folder of own images. Skipped without
/usr/bin/chromium unless LESSON_REQUIRE_BROWSER=1. Run by hand for screenshots with other data:
`python tests/browser/test_e2e.py DIR [--interact] [--beyond]` (--beyond: the optional parts switched on).

A second test opens every page by its own URL (the first as a fresh server's first session: no "Page not found"),
then visits every page at 1400, 1024 and 768 px with the sidebar open: a screenshot of each (w<width>-...png),
no chart drawn wider than its column, and no serious or critical axe-core violation (nor a skipped heading level).
axe-core is the npm package in tests/browser (package.json; `npm install` there, done by .ci/run and by the test
when npm exists); no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lesson.reflections import load_answers

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PAGES = ["Start", "1 Network and images", "2 First-order similarity", "3 Second-order similarity",
         "4 PCA and dimensionality", "5 Submit"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
MAIN = "[data-testid='stMain']"
WIDTHS = (1400, 1024, 768)  # a desktop, a laptop and a small laptop window, the sidebar open (the default)
BROWSER_DIR = Path(__file__).resolve().parent
AXE = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
HEADINGS = {"Start": "How AlexNet represents images", "1 Network and images": "The network and the images"}
URL_PATHS = {"Start": "start", "1 Network and images": "network", "2 First-order similarity": "first-order",
             "3 Second-order similarity": "second-order", "4 PCA and dimensionality": "pca", "5 Submit": "submit"}
# Every chart's drawing (canvas or svg) must fit inside the column that holds it.
_OVERFLOWING_CHARTS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].flatMap((chart, index) => {
    const holder = chart.closest("[data-testid='stElementContainer']") || chart.parentElement;
    const limit = holder.getBoundingClientRect().right + 1;
    const main = document.querySelector("[data-testid='stMain']").getBoundingClientRect().right + 1;
    return [...chart.querySelectorAll("canvas, svg.marks")].filter(drawing => {
        const right = drawing.getBoundingClientRect().right;
        return right > limit || right > main;
    }).map(drawing => `chart ${index + 1}: ${Math.round(drawing.getBoundingClientRect().width)} px wide in a `
                      + `${Math.round(holder.getBoundingClientRect().width)} px column`);
})"""
_AXE_SERIOUS = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations.filter(v => v.impact === "serious" || v.impact === "critical"
                                         || v.id === "heading-order").map(v =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes.length} elements, e.g. ${v.nodes.slice(0, 3).map(
            node => node.target.join(" ")).join(" | ")})`);
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict[str, str], log_path: Path, timeout: float = 120, port: int | None = None):
    """Start the app on a loopback port (a free one unless given: a restart reuses it); yield its URL; stop it
    with SIGTERM, as a student's Ctrl+C would (SIGKILL if it does not exit). The log is appended to."""
    port = port or _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "lesson" / "app" / "main.py"),
               "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {process.returncode}: {log_path.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer within {timeout} s")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def require_chromium():
    """Skip without Debian's chromium (fail instead when LESSON_REQUIRE_BROWSER=1, as in CI); the Playwright API."""
    if not CHROMIUM.exists():
        if os.environ.get("LESSON_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and LESSON_REQUIRE_BROWSER=1: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium package to run the browser test)")
    return pytest.importorskip("playwright.sync_api")


def student_env(stand_in_env: dict[str, str], folder: Path) -> dict[str, str]:
    """The app's environment for a student working in ``folder``: a copy of the stub exercises, its reflections."""
    (folder / "exercises").mkdir()
    for module in ("rsa", "pca", "stimuli"):
        (folder / "exercises" / f"{module}.py").write_bytes((PROJECT_ROOT / "exercises" / f"{module}.py").read_bytes())
    return {**stand_in_env, "LESSON_EXERCISES_DIR": str(folder / "exercises"),
            "LESSON_REFLECTIONS": str(folder / "reflections.md")}


def wait_idle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the app is connected and its script has finished (twice, to pass a rerun's short idle gap)."""
    page.wait_for_selector(CONNECTED, timeout=timeout_ms)
    for _ in range(2):
        page.wait_for_timeout(400)
        page.wait_for_selector(IDLE, timeout=timeout_ms)


def wait_charts(page, timeout_ms: int = 60_000) -> int:
    """Wait until every Vega-Lite element holds a canvas or svg; return how many charts there are."""
    page.wait_for_function(
        """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
                  .every(chart => chart.querySelector('canvas, svg'))""", timeout=timeout_ms)
    return page.locator("[data-testid='stVegaLiteChart']").count()


def full_page_screenshot(page, path: Path, width: int = 1400) -> None:
    """Streamlit scrolls inside its main section: grow the viewport to the content, then take the picture."""
    height = page.evaluate("""() => {
        const main = document.querySelector("[data-testid='stMain']") || document.body;
        return Math.max(main.scrollHeight, document.body.scrollHeight);
    }""")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 16000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def open_page(page, title: str) -> int:
    """Click the sidebar link of a page, wait for it and its charts; return the number of charts."""
    page.locator("[data-testid='stSidebarNavLink']").filter(has_text=title).first.click()
    wait_idle(page)
    page.wait_for_selector("h1", timeout=60_000)
    return wait_charts(page)


def axe_script() -> Path | None:
    """axe-core's script (the npm package, installed into tests/browser/node_modules when missing and npm exists)."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=BROWSER_DIR, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=300)
    return AXE if AXE.exists() else None


def page_not_found_shown(page) -> bool:
    return page.get_by_text("Page not found").count() > 0


def check_widths_and_accessibility(url: str, screenshot_dir: Path, axe: Path | None) -> dict:
    """Each page opened by its own URL in a fresh tab, the first of them the server's first session (deep links):
    its heading, and whether a "Page not found" message appeared; then at each of ``WIDTHS``: every page from the
    sidebar, a screenshot, the charts wider than their column, and (at the first width) axe-core's serious and
    critical violations (and heading-order)."""
    from playwright.sync_api import sync_playwright

    report: dict = {"overflow": {}, "axe": {}, "deep links": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            # Deep links first: the very first session of a fresh server opens /first-order.
            for title, path in sorted(URL_PATHS.items(), key=lambda item: item[1] != "first-order"):
                tab = browser.new_page(viewport={"width": WIDTHS[1], "height": 900})
                tab.goto(f"{url}/{path}", wait_until="domcontentloaded")
                wait_idle(tab, timeout_ms=180_000)
                tab.wait_for_selector("h1", timeout=60_000)
                tab.wait_for_timeout(500)
                report["deep links"][title] = {"heading": tab.locator("h1").first.inner_text(),
                                               "page not found": page_not_found_shown(tab)}
                tab.close()
            page = browser.new_page(viewport={"width": WIDTHS[0], "height": 900})
            page.goto(url, wait_until="domcontentloaded")
            wait_idle(page, timeout_ms=180_000)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for index, title in enumerate(PAGES):
                    open_page(page, title)
                    page.wait_for_timeout(600)  # charts follow the new width
                    name = title.split(" ", 1)[-1].lower().replace(" ", "-")
                    full_page_screenshot(page, screenshot_dir / f"w{width}-{index}-{name}.png", width=width)
                    page.wait_for_timeout(600)
                    report["overflow"][(width, title)] = page.evaluate(_OVERFLOWING_CHARTS)
                    if axe is not None and width == WIDTHS[0]:
                        page.add_script_tag(path=str(axe))
                        report["axe"][title] = page.evaluate(_AXE_SERIOUS)
        finally:
            browser.close()
    return report


def write_image_folder(root: Path, per_class: int = 12) -> Path:
    """Two classes of small generated PNGs (stripes and discs, tinted from red to blue)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:64, 0:64] / 64.0
    for label, name in enumerate(("stripes", "discs")):
        (root / name).mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            pattern = ((np.sin(2 * np.pi * rng.uniform(4, 7) * x) + 1) / 2 if label == 0
                       else (np.hypot(x - 0.5, y - 0.5) < rng.uniform(0.2, 0.35)).astype(float))
            tint = np.array([0.2 + 0.8 * index / (per_class - 1), 0.4, 1.0 - 0.8 * index / (per_class - 1)])
            pixels = np.clip(0.1 + 0.85 * pattern[..., None] * tint, 0, 1)
            Image.fromarray((pixels * 255).astype(np.uint8)).save(root / name / f"{name}_{index:02d}.png")
    return root


def _main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _use_folder(page, path: str) -> None:
    box = page.get_by_label("Folder of class sub-folders")
    box.fill(path)
    box.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Use these images").click()
    wait_idle(page, timeout_ms=180_000)


def use_the_optional_parts(page, screenshot_dir: Path, image_folder: Path | None) -> dict:
    """Switch on every "Beyond the lesson" control; report what appeared (texts seen, charts, screenshots)."""
    seen: dict = {}
    open_page(page, PAGES[2])
    page.get_by_text("negated Euclidean distance", exact=True).click()
    wait_idle(page)
    wait_charts(page)
    seen["euclidean"] = "Computed with the negated Euclidean distance" in _main_text(page)
    page.get_by_text("Show an untrained AlexNet beside this one").first.click()
    wait_idle(page, timeout_ms=180_000)
    seen["first-order charts with the untrained network"] = wait_charts(page)
    text = _main_text(page)
    seen["untrained"] = ("both random" if "Both networks would be random" in text
                         else "compared" if "What differs" in text else "nothing")
    full_page_screenshot(page, screenshot_dir / "2c-first-order-beyond.png")
    page.get_by_text("correlation (the lesson's measure)", exact=True).click()  # back to the lesson's measure
    wait_idle(page)
    for index in (3, 4):
        seen[f"{PAGES[index]} charts"] = open_page(page, PAGES[index])
        full_page_screenshot(page, screenshot_dir / f"{index}b-{PAGES[index].split(' ', 1)[-1].lower()}-beyond.png"
                             .replace(" ", "-"))
    if image_folder is not None:
        open_page(page, PAGES[1])
        _use_folder(page, str(image_folder / "no-such-folder"))
        seen["bad folder"] = page.locator(f"{MAIN} [data-testid='stAlertContentError']").first.inner_text()
        _use_folder(page, str(image_folder))
        wait_charts(page)
        seen["own images banner"] = page.locator(f"{MAIN} [data-testid='stAlertContentInfo']").first.inner_text()
        full_page_screenshot(page, screenshot_dir / "1b-network-own-images.png")
        seen["own images, first-order charts"] = open_page(page, PAGES[2])
        page.get_by_role("button", name="Back to the lesson's images").first.click()
        wait_idle(page)
        wait_charts(page)
        seen["after going back"] = "Your own images" not in _main_text(page)
    open_page(page, PAGES[2])
    page.get_by_text("Show an untrained AlexNet beside this one").first.click()  # off again
    wait_idle(page)
    return seen


def visit_every_page(url: str, screenshot_dir: Path, interact: bool = False, beyond: bool = False,
                     image_folder: Path | None = None, reflections: Path | None = None) -> dict[str, dict]:
    """Open each page from the sidebar; return per page: charts, exceptions, console errors, screenshot path.

    With ``interact``, also click a cell of the single-layer matrix (report "cell click": images shown) and type
    a reflection, then leave the page without pressing anything else (report "typed": the text typed), and type
    into a second one key by key, reading ``reflections`` after a pause in typing ("saved while typing"). With
    ``beyond``, also use the optional parts (report "beyond"; the own-images step needs ``image_folder``).
    """
    from playwright.sync_api import sync_playwright

    report: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            console_errors: list[str] = []
            page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
            page.goto(url, wait_until="domcontentloaded")
            wait_idle(page, timeout_ms=180_000)
            for index, title in enumerate(PAGES):
                errors_before = len(console_errors)
                n_charts = open_page(page, title)
                shot = screenshot_dir / f"{index}-{title.split(' ', 1)[-1].lower().replace(' ', '-')}.png"
                full_page_screenshot(page, shot)
                report[title] = {
                    "charts": n_charts,
                    "heading": page.locator("h1").first.inner_text(),
                    "exceptions": page.locator("[data-testid='stException']").count(),
                    "console_errors": console_errors[errors_before:],
                    "screenshot": shot,
                }
            if interact:
                errors_before = len(console_errors)
                open_page(page, PAGES[2])
                matrix = page.locator("[data-testid='stVegaLiteChart']").nth(1)
                matrix.scroll_into_view_if_needed()
                box = matrix.locator("canvas").first.bounding_box()
                page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.6)
                wait_idle(page)
                page.wait_for_selector("[data-testid='stMain'] [data-testid='stImage']", timeout=30_000)
                clicked_images = page.locator("[data-testid='stMain'] [data-testid='stImage']").count()
                shot = screenshot_dir / "2b-first-order-cell-clicked.png"
                full_page_screenshot(page, shot)
                typed = "Typed in the browser, then the page was left without pressing anything."
                open_page(page, PAGES[1])
                page.locator("textarea.answer").first.fill(typed)
                # Typing key by key, then pausing with the cursor still in the box: saved without a blur.
                second_box = page.locator("textarea.answer").nth(1)
                second_box.click()
                second_box.press_sequentially("Saved while typing", delay=30)
                time.sleep(2.5)  # the debounce (0.7 s) and a rerun
                saved_while_typing = (load_answers(reflections).get("R2") if reflections is not None else None)
                second_box.press_sequentially(", and more.", delay=30)
                open_page(page, PAGES[0])  # leaving the page: the box loses focus and commits its value
                report["interactions"] = {
                    "images after a cell click": clicked_images, "typed": typed, "screenshot": shot,
                    "saved while typing": saved_while_typing, "box after typing": "Saved while typing, and more.",
                    "exceptions": page.locator("[data-testid='stException']").count(),
                    "console_errors": console_errors[errors_before:],
                }
            if beyond:
                errors_before = len(console_errors)
                seen = use_the_optional_parts(page, screenshot_dir, image_folder)
                seen["exceptions"] = page.locator("[data-testid='stException']").count()
                seen["console_errors"] = console_errors[errors_before:]
                report["beyond"] = seen
        finally:
            browser.close()
    return report


@pytest.mark.browser
def test_every_page_renders_in_chromium(stand_in_env, bank, tmp_path):
    require_chromium()
    screenshot_dir = Path(os.environ.get("LESSON_SCREENSHOT_DIR") or tmp_path / "screenshots")
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    env = student_env(stand_in_env, tmp_path)

    image_folder = write_image_folder(tmp_path / "my images")
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        report = visit_every_page(url, screenshot_dir, interact=True, beyond=True, image_folder=image_folder,
                                  reflections=tmp_path / "reflections.md")

    interactions = report.pop("interactions")
    beyond = report.pop("beyond")
    print(f"\nScreenshots of every page: {screenshot_dir}")
    for title, seen in report.items():
        print(f"  {title}: {seen['charts']} charts, {seen['screenshot'].name}")
    print(f"  after clicking a matrix cell: {interactions['screenshot'].name}")
    assert list(report) == PAGES
    assert interactions["images after a cell click"] == 2, "a click on a matrix cell shows its two images"
    assert interactions["exceptions"] == 0 and interactions["console_errors"] == []
    assert load_answers(tmp_path / "reflections.md").get("R1") == interactions["typed"], \
        "a reflection typed and left (page switch) is saved"
    assert interactions["saved while typing"] == "Saved while typing", "a pause in typing saves the box"
    assert load_answers(tmp_path / "reflections.md").get("R2") == interactions["box after typing"], \
        "typing after an autosave is kept and saved when the page is left"
    for title, seen in report.items():
        assert seen["exceptions"] == 0, f"{title}: an exception is shown on the page"
        assert seen["console_errors"] == [], f"{title}: browser console errors {seen['console_errors']}"
        assert seen["screenshot"].stat().st_size > 10_000, f"{title}: the screenshot looks empty"
    assert report["Start"]["heading"].endswith("How AlexNet represents images")
    assert report["2 First-order similarity"]["charts"] >= 2
    assert report["3 Second-order similarity"]["charts"] >= 2
    assert report["4 PCA and dimensionality"]["charts"] >= 5  # with the optional two estimates and units study
    print(f"  optional parts: {beyond}")
    assert beyond["exceptions"] == 0 and beyond["console_errors"] == [], beyond
    assert beyond["euclidean"] and beyond["untrained"] == "both random"  # the stand-in network is random already
    assert "does not exist" in beyond["bad folder"]
    assert "Your own images" in beyond["own images banner"] and str(image_folder) in beyond["own images banner"]
    assert beyond["own images, first-order charts"] >= 2 and beyond["after going back"]


@pytest.mark.browser
def test_every_page_fits_at_three_widths_is_accessible_and_opens_by_its_url(stand_in_env, bank, tmp_path):
    require_chromium()
    axe = axe_script()
    if axe is None and os.environ.get("LESSON_REQUIRE_BROWSER") == "1":
        pytest.fail(f"axe-core is missing: run `npm install` in {BROWSER_DIR}")
    screenshot_dir = Path(os.environ.get("LESSON_SCREENSHOT_DIR") or tmp_path / "screenshots")
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    env = student_env(stand_in_env, tmp_path)
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        report = check_widths_and_accessibility(url, screenshot_dir, axe)
    print(f"\nScreenshots at {', '.join(map(str, WIDTHS))} px: {screenshot_dir}")
    problems = [f"{title} at {width} px: a chart is wider than its column: {found}"
                for (width, title), found in report["overflow"].items() if found]
    if axe is None:
        print("  axe-core not installed (no npm): accessibility not checked")
    problems += [f"{title}: axe-core: {found}" for title, found in report["axe"].items() if found]
    for title, seen in report["deep links"].items():
        wanted = HEADINGS.get(title, title.split(" ", 1)[-1])
        if seen["page not found"]:
            problems.append(f"/{URL_PATHS[title]}: a 'Page not found' message appeared")
        if wanted not in seen["heading"]:
            problems.append(f"/{URL_PATHS[title]} opened {seen['heading']!r}, not {title!r}")
    assert not problems, "\n".join(problems)


if __name__ == "__main__":  # screenshots with whatever LESSON_* settings the environment holds
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    target = Path(arguments[0] if arguments else "screenshots").resolve()
    target.mkdir(parents=True, exist_ok=True)
    with streamlit_server({}, target / "streamlit.log") as server_url:
        folder = write_image_folder(target / "generated-images") if "--beyond" in sys.argv else None
        for page_title, details in visit_every_page(server_url, target, interact="--interact" in sys.argv,
                                                    beyond="--beyond" in sys.argv, image_folder=folder).items():
            print(page_title, {key: value for key, value in details.items() if key != "screenshot"})
    print(f"screenshots in {target}")
