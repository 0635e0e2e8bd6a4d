"""A cold start: the app builds the bank in another process, so torch never loads into the app's process."""

import json
import subprocess
import sys

from app_helpers import APP, PROJECT_ROOT

SCRIPT = f"""
import json, sys
from streamlit.testing.v1 import AppTest
app = AppTest.from_file({APP!r}, default_timeout=600)
app.run()
print(json.dumps({{"torch": "torch" in sys.modules, "exceptions": len(app.exception), "errors": len(app.error),
                  "title": app.title[0].value if app.title else ""}}))
"""


def test_the_first_start_builds_the_bank_without_torch_in_the_app(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LESSON_CACHE_DIR": str(tmp_path / "cache"),
           "LESSON_IMAGES": "synthetic", "LESSON_WEIGHTS": "random", "LESSON_OFFLINE": "1",
           "LESSON_EXERCISES_DIR": str(PROJECT_ROOT / "exercises"), "LESSON_REFLECTIONS": str(tmp_path / "r.md")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"torch": False, "exceptions": 0, "errors": 0, "title": seen["title"]}, seen
    assert seen["title"].endswith("How AlexNet represents images")
    assert len(list((tmp_path / "cache" / "banks").glob("*/provenance.json"))) == 1
