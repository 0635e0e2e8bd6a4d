"""The files a student release adds to the copied packages: pyproject, run scripts, CI workflow, README, .gitignore."""

from __future__ import annotations

__all__ = ["GRADE_REQUIREMENTS", "GRADE_INSTALL_SIZE", "PYPROJECT", "RUN_APP", "RUN_GRADER", "WORKFLOW", "GITIGNORE",
           "README"]

GRADE_REQUIREMENTS = ("numpy>=1.24", "scipy>=1.10")
# Measured (Nov 2026, Python 3.11, Linux x86-64): `pip install numpy scipy` in a fresh venv downloads 52 MB of
# wheels (numpy 2.4.6, scipy 1.17.1), installs in about 16 s and takes 216 MB (240 MB with pip); torch takes ~5.5 GB.
GRADE_INSTALL_SIZE = "about 52 MB to download and 220 MB installed (numpy and scipy; torch would be about 5.5 GB)"

_GRADE = ", ".join(f'"{item}"' for item in GRADE_REQUIREMENTS)

PYPROJECT = f'''[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "alexnet-lesson"
version = "{{version}}"
description = "An autograded, interactive lesson on how a deep network (AlexNet) represents images: RSA and PCA."
readme = "README.md"
requires-python = ">=3.10"
license = "MIT"
# Grading needs only numpy and scipy (the "grade" extra); the app needs the "app" extra (./run-app installs it).
dependencies = [{_GRADE}]

[project.optional-dependencies]
grade = [{_GRADE}]
app = [
    "torch>=2.2,<=2.14.1",
    "torchvision>=0.17,<=0.29.1",
    "streamlit>=1.50",
    "altair>=5",
    "pillow>=10",
]

[tool.setuptools.packages.find]
include = ["lesson*", "grader*", "exercises*"]
'''

RUN_APP = '''#!/usr/bin/env bash
# Set up (first time only: torch is large, a few minutes) and open the lesson app at http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-env.sh "app"
exec .venv/bin/python -m streamlit run lesson/app/main.py "$@"
'''

RUN_GRADER = '''#!/usr/bin/env bash
# Grade exercises/ as CI does (numpy and scipy only, no torch); extra arguments go to `python -m grader`.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-env.sh "grade"
exec .venv/bin/python -m grader "$@"
'''

WORKFLOW = '''# Grades every push: installs numpy and scipy only (no torch, no weights), grades exercises/ from the
# fixtures in grader/fixtures/, writes the step summary, uploads the JSON and JUnit reports, and reports each
# exercise's points to GitHub Classroom with its grading reporter (the "Autograding Tests" check run).
# An untouched repository shows 0 points and what is still to do, not a red check; a check turns red when an
# exercise you attempted fails, or when grading could not run. GitHub Classroom's own first commit is not
# graded (as in Classroom's own autograding workflow).
name: Autograding Tests

on:
  push:
  repository_dispatch:
  workflow_dispatch:

permissions:
  checks: write      # the reporter writes "Points x/y" on the check run the Classroom dashboard reads
  actions: read
  contents: read

concurrency:         # a new push cancels the grading of the previous one on the same branch
  group: grading-${{ github.ref }}
  cancel-in-progress: true

jobs:
  grade:
    name: Autograding Tests
    runs-on: ubuntu-latest
    timeout-minutes: 15
    if: github.actor != 'github-classroom[bot]'
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
          cache: pip
          cache-dependency-path: pyproject.toml
      - name: Install the grading dependencies (numpy and scipy only)
        run: python -m pip install --disable-pip-version-check ".[grade]"
      - name: Grade
        id: grade
        run: |
          python -m grader --format text --json report.json --junit junit.xml || echo "grader exit code $?"
          python -m grader.classroom.classroom_points report.json >> "$GITHUB_OUTPUT"
      - name: Upload the reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: grading-reports
          path: |
            report.json
            junit.xml
          if-no-files-found: warn
      - name: Report the points to GitHub Classroom
        if: always() && steps.grade.outputs.result != ''
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: "${{ steps.grade.outputs.result }}"
          GITHUB_TOKEN: ${{ github.token }}
        with:
          runners: grade
'''

GITIGNORE = '''.venv/
__pycache__/
*.pyc
*.egg-info/
/build/
reflections.local.*
.*.lock
report.json
junit.xml
results.json
'''

README = '''# How a deep network represents images: an autograded AlexNet lesson

```bash
./run-app       # set up (first time only) and open the lesson at http://127.0.0.1:8501
./run-grader    # grade your exercises the way the course does (numpy and scipy only)
```

Both need Python >= 3.10 (`python3`, or set `PYTHON=/path/to/python3.11`) and create `.venv` on first use.
The app needs torch and torchvision (large: a few minutes the first time); grading does not.

## What you do

Implement the functions in `exercises/` (`rsa.py`, `pca.py`, `stimuli.py`). The app walks you through the
lesson page by page; each page shows a function's contract and a **Check** button that grades your current
file. This copy of the lesson has no reference solutions, so every plot is drawn with your own functions: a
plot whose functions have not passed their check yet says "Not solved yet" and which function to finish (the
optional "Beyond the lesson" parts that compare with the references say so too). Your answers to the
reflection questions are saved as you type to `reflections.md`: commit it with your code.

## Grading

`./run-grader` (it sets up `.venv` the first time; extra arguments go to the grader) runs each of your functions in
a separate process with a time and memory limit, on edge cases, seeded random cases and cases from the
lesson's AlexNet activations, and explains every failure. The inputs and the expected outputs of these
*public* cases are stored in `grader/fixtures/` ({fixtures_size}, sha256 recorded in
`grader/fixtures/manifest.json`, checked on every run: a changed file is refused with exit code 2). Exit code
0: all pass; 1: some fail or are not attempted; 2: grading could not happen. Each exercise's points are shared
by its three groups of cases (edge, random, bank); a group earns its share when all its cases pass. Your
official grade uses hidden cases of the same kinds and counts: code that is right here scores the same there,
code that only matches these inputs does not.

```bash
./run-grader --exercise PCA         # one function (repeatable); the first run installs numpy and scipy: {install_size}
./run-grader --json report.json --junit junit.xml
./run-grader --help                 # every option
```

Every push is graded by GitHub Actions (`.github/workflows/grade.yml`): a summary on the run's page, the JSON
and JUnit reports as artifacts, and your points on GitHub Classroom. A red check means an exercise you have
started fails (or grading could not run); exercises you have not started yet count 0 points without a red check.

## For instructors

This repository was made with `python -m grader release OUT_DIR` from the course repository, which holds the
reference solutions; it has no solutions, no tests, no benchmarks, no working implementation of any exercise
(the hints come from mistake signatures stored in the fixtures) and only the public cases.

**GitHub Classroom.** Push this folder to a repository in your organisation, mark it as a template
repository (Settings > Template repository), and create an assignment that uses it as the starter code.
Every student repository then contains the workflow, and every push is graded. The workflow reports each
exercise's points to the assignment's dashboard the way Classroom's own autograding does (the
`classroom-resources/autograding-grading-reporter` action on the "Autograding Tests" check run, with
`checks: write`); leave the assignment's own autograding tests empty. A fresh repository shows no run until
the student's first push (Classroom's setup commit is skipped); a push with nothing attempted shows 0 points
and a green check listing what is to do; a red check means an attempted exercise fails or grading could not
run. A newer push cancels the grading of an older one (one concurrency group per branch).

**Official grades come from a run you control.** Students can edit anything in their own repository: the
workflow, the grader, the fixtures and their manifest. A green check in a student repository is feedback,
not a grade. The course repository grades a student repository with *your* grader on the *hidden* cases,
drawn from your secret key (never in a release), reading only the student's `exercises/*.py` and
`reflections.md`:

```bash
python -m grader instructor path/to/student-repo --out grades/alice     # JSON + JUnit report of one student
python -m grader batch path/to/all-student-repos --out grades --jobs 2  # one sub-folder per student: gradebook.csv
python -m grader gradescope autograder.zip                              # a Gradescope autograder
```

`batch` grades every sub-folder (a student repository with `exercises/`, or a folder holding `rsa.py`,
`pca.py`, `stimuli.py`) in parallel; a failing, hanging or hostile submission never stops the others; it
writes `gradebook.csv` (points per exercise, total, reflections answered, sha256 of every graded file) and
each student's JSON report. The public fixtures in this release hold their expected outputs, so a student
could copy answers into code that only matches these inputs; the hidden cases of an official grade catch that.
From a copy of this release (no solutions), grade with hidden fixtures made in the course repository:
`python -m grader fixtures DIR --hidden`, then `instructor`/`batch --fixtures DIR` (keep DIR private).

In the release, the app draws every plot with the student's own functions once they pass their check and
says "Not solved yet" before that; the optional parts that compare with the reference analyses are left out.

## Layout

| folder | what it holds |
|---|---|
| `lesson/` | the data layer (images, AlexNet, the cached activation bank) and the Streamlit app |
| `exercises/` | your code |
| `grader/` | the grader (`python -m grader --help`) and its fixtures in `grader/fixtures/` |

Data: the lesson uses the pretrained AlexNet and four Imagenette classes, downloaded once; offline it uses
stand-ins and says so (`LESSON_OFFLINE=1`, `LESSON_IMAGES`, `LESSON_WEIGHTS`, `LESSON_CACHE_DIR`). The app binds
to 127.0.0.1 and sends no usage statistics.
'''
