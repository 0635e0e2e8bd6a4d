"""The file that keeps each exercise's latest Check: two apps (or tabs) storing at once lose none of each other's."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]

_WRITER = textwrap.dedent("""
    import sys
    from types import SimpleNamespace
    from lesson.app import check_store
    from grader.results import ExerciseResult
    exercises, cache, tag, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ctx = SimpleNamespace(settings=SimpleNamespace(exercises_dir=exercises, cache_dir=cache))
    for index in range(n):
        result = ExerciseResult(f"{tag}{index}", "rsa", attempted=True, passed=True, score=1.0, max_score=1.0,
                                message="All cases pass.")
        check_store.store(ctx, {f"{tag}{index}": (f"digest {index}", result)})
""")


def test_two_writers_storing_checks_at_once_keep_every_record(tmp_path):
    (tmp_path / "exercises").mkdir()
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path / "exercises"), str(tmp_path / "cache"),
                                 tag, "150"], cwd=PROJECT_ROOT) for tag in ("a", "b")]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0]
    (stored,) = (tmp_path / "cache" / "checks").glob("*.json")
    names = set(json.loads(stored.read_text()))
    assert names == {f"{tag}{index}" for tag in "ab" for index in range(150)}
