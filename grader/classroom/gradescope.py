"""`python -m grader gradescope OUT.zip`: a Gradescope autograder (setup.sh, run_autograder, the grader, fixtures).

The archive carries the *hidden* fixtures (drawn from the instructor's key; students never see their expected
outputs in a release) and, like a release, no ``grader/judging/formulations.py``. ``autograder.json`` records
the fixtures' sha256, the hidden case set's id and whether the data are stand-ins.

``run_autograder`` copies the submission's ``*.py`` (from ``submission/exercises/`` when it is a repository) and
``reflections.md`` into a private folder, grades it from the fixtures, and makes sure ``results.json`` exists
and is valid JSON even when the grader crashes (a fallback written by the shell). Paths can be overridden
to try it anywhere: ``AUTOGRADER_ROOT`` (default /autograder), ``AUTOGRADER_PYTHON`` (python3),
``AUTOGRADER_TIME_LIMIT`` (seconds per exercise, 60). It requires the bubblewrap sandbox (``setup.sh`` installs it;
without it every student gets a results.json saying grading could not run and why), unless
``AUTOGRADER_REQUIRE_SANDBOX=0``.
"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

from grader.cases.fixtures import ARRAYS_FILE, DEFAULT_FIXTURES_DIR, MANIFEST_FILE
from grader.classroom.release import PROJECT_ROOT, _files_to_copy
from grader.classroom.templates import GRADE_REQUIREMENTS
from lesson.atomic import write_atomic

__all__ = ["build_gradescope", "SETUP_SH", "RUN_AUTOGRADER", "RECORD_FILE"]

RECORD_FILE = "autograder.json"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope: install what grading needs (numpy and scipy, the "grade" extra; no torch; bubblewrap, the sandbox
# every submission runs in: run_autograder refuses to grade without it unless AUTOGRADER_REQUIRE_SANDBOX=0).
set -euo pipefail
if ! python3 -m pip --version >/dev/null 2>&1 || ! command -v bwrap >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip bubblewrap
fi
python3 -m pip install --disable-pip-version-check REQUIREMENTS \\
    || python3 -m pip install --disable-pip-version-check --break-system-packages REQUIREMENTS
""".replace("REQUIREMENTS", " ".join(f'"{item}"' for item in GRADE_REQUIREMENTS))

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this. results.json is always written: by the grader, or by the fallback below.
set -u
root="${AUTOGRADER_ROOT:-/autograder}"
python="${AUTOGRADER_PYTHON:-python3}"
results="$root/results/results.json"
mkdir -p "$root/results"
rm -f "$results"
work="$(mktemp -d)"
mkdir -p "$work/exercises"
from="$root/submission"
# find the work wherever it is in the upload (exercises/, Exercises/, the root, a nested folder, "rsa (1).py")
if ! (cd "$root/source" && "$python" -m grader.classroom.gradescope_extras stage "$from" "$work"); then
    [ -d "$from/exercises" ] && [ ! -L "$from/exercises" ] && from="$from/exercises"
    # regular files only (find does not follow symlinks): the exercise modules and the reflections
    find "$from" -maxdepth 1 -type f -name '*.py' -size -1024k -exec cp {} "$work/exercises/" \; 2>/dev/null
    for candidate in "$from/reflections.md" "$root/submission/reflections.md"; do
        if [ -f "$candidate" ] && [ ! -L "$candidate" ]; then cp "$candidate" "$work/reflections.md"; break; fi
    done
fi
cd "$root/source" && "$python" -m grader --submission "$work/exercises" --gradescope "$results" \
    --time-limit "${AUTOGRADER_TIME_LIMIT:-60}" $([ "${AUTOGRADER_REQUIRE_SANDBOX:-1}" = 0 ] || echo --require-sandbox)
code=$?
# the instructor's visibility, where the work was found, the reflections as a part graded by hand
"$python" -m grader.classroom.gradescope_extras finish "$results" "$root/source/gradescope.json" "$work" 2>/dev/null
if ! "$python" -c 'import json, sys; data = json.load(open(sys.argv[1])); sys.exit(not ("score" in data and "tests" in data))' "$results" 2>/dev/null; then
    printf '{"score": 0.0, "execution_time": 0, "output": "Grading could not run (the grader stopped with exit code %s). Please tell your instructor; this is not a judgement of your work.", "visibility": "visible", "stdout_visibility": "hidden", "tests": []}\n' "$code" > "$results"
fi
rm -rf "$work"
exit 0
"""


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_gradescope(out_zip: Path, fixtures_dir: Path, *, visibility: str = "visible",
                     reflections: bool = True) -> tuple[list[str], dict]:
    """Write the autograder archive; returns its member names and what ``autograder.json`` records.
    ``fixtures_dir`` must hold checked hidden fixtures (GradingError for public ones). ``visibility``: when students
    see the results (Gradescope's visible, hidden, after_due_date, after_published); ``reflections``: show the
    submission's reflections as a part graded by hand."""
    from grader.classroom.gradescope_extras import CONFIG_FILE, VISIBILITIES

    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r} is not one of Gradescope's: {', '.join(VISIBILITIES)}")
    from grader.cases.fixtures import FixtureSource
    from grader.classroom.official import stand_in_of
    from grader.classroom.release import NEVER_FILES
    from grader.errors import GradingError

    fixtures = FixtureSource.load(fixtures_dir)  # refuses fixtures that do not match their manifest
    if fixtures.case_set != "hidden":
        raise GradingError(f"the fixtures in {fixtures.folder} hold the public cases: a Gradescope archive needs "
                           "hidden ones (`python -m grader fixtures DIR --hidden`, or leave out --fixtures)")
    manifest = fixtures.manifest
    record = {"fixtures_sha256": manifest["sha256"], "case_set": "hidden", "case_set_id": manifest.get("case_set_id"),
              "provenance": manifest.get("provenance", {}), "stand_in": stand_in_of(manifest)}
    fixtures_prefix = DEFAULT_FIXTURES_DIR.relative_to(PROJECT_ROOT).as_posix()
    names: list[str] = []

    def write(file) -> None:
        with zipfile.ZipFile(file, "w") as archive:
            _add(archive, "setup.sh", SETUP_SH.encode(), executable=True)
            _add(archive, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
            _add(archive, CONFIG_FILE, json.dumps({"visibility": visibility, "reflections": reflections}).encode())
            _add(archive, RECORD_FILE, (json.dumps(record, indent=2) + "\n").encode())
            for relative in _files_to_copy():  # (never formulations.py: release.NEVER_FILES)
                if relative.parts[0] in ("grader", "lesson") and relative.as_posix() not in NEVER_FILES:
                    _add(archive, relative.as_posix(), (PROJECT_ROOT / relative).read_bytes())
            for name in (MANIFEST_FILE, ARRAYS_FILE):
                _add(archive, f"{fixtures_prefix}/{name}", (fixtures.folder / name).read_bytes())
            names.extend(archive.namelist())

    write_atomic(Path(out_zip), write, mode=0o644)
    return names, record
