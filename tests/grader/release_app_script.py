"""Run inside a student release (cwd = the release, checkout off sys.path): the app's pages through AppTest.

Usage: python release_app_script.py RELEASE EXERCISES_DIR SOLVED_DIR. Prints one JSON object: per phase
("stubs", then "solved" after copying SOLVED_DIR's files over EXERCISES_DIR and pressing Check all) and page,
the texts of info boxes, captions and errors, the number of charts and whether an exception element appeared.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

release, exercises, solved = (Path(argument) for argument in sys.argv[1:4])
checkout = str(Path(__file__).resolve().parents[2])
sys.path[:] = [str(release)] + [entry for entry in sys.path if entry not in ("", checkout)]
assert importlib.util.find_spec("solutions") is None, "the reference solutions are importable"

from streamlit.testing.v1 import AppTest  # noqa: E402

PAGES = ("lesson_pages/p1_network.py", "lesson_pages/p2_first_order.py", "lesson_pages/p3_second_order.py",
         "lesson_pages/p4_pca.py")


def visit(app) -> dict:
    seen = {}
    for page in PAGES:
        app.switch_page(page).run()
        seen[page] = {"info": [str(box.value) for box in app.main.info],
                      "captions": [str(caption.value) for caption in app.main.caption],
                      "errors": [str(box.value) for box in app.main.error],
                      "exceptions": [str(element.value) for element in app.exception],
                      "charts": len(app.get("vega_lite_chart"))}
    return seen


app = AppTest.from_file(str(release / "lesson" / "app" / "main.py"), default_timeout=180)
app.run()
result = {"lesson_module": sys.modules["lesson"].__file__, "stubs": visit(app)}
for path in solved.glob("*.py"):
    shutil.copy(path, exercises / path.name)
app.sidebar.button(key="check_all").click().run()
result["solved"] = visit(app)
print(json.dumps(result))
