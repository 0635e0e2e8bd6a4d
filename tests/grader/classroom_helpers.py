"""Helpers for the classroom tests: an interpreter with numpy and scipy only (no torch, no checkout on its path)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from grader_helpers import PROJECT_ROOT

GRADE_PACKAGES = ("numpy", "numpy.libs", "scipy", "scipy.libs")


def _link_tree(source: Path, target: Path) -> None:
    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link, symlinks=True)


def grading_only_python(folder: Path) -> Path:
    """A venv in ``folder`` holding only numpy and scipy (hard links to this venv's files): like a CI runner
    that installed the "grade" extra. torch cannot be imported there, nor anything of the course repository."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    here = Path(sysconfig.get_paths()["purelib"])
    for name in os.listdir(here):
        if name.split("-")[0] in ("numpy", "scipy") or name in GRADE_PACKAGES:
            if (here / name).is_dir():
                _link_tree(here / name, site / name)
    return python


def clean_env(**extra) -> dict:
    """The environment without CI and lesson variables, plus ``extra``."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("GITHUB_", "LESSON_", "PYTHON")) and key != "VIRTUAL_ENV"}
    environment.update(extra)
    return environment


def run_grader_command(*args, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m grader ARGS...` from the checkout, in ``clean_env(**env)``."""
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=PROJECT_ROOT, env=clean_env(**env),
                          capture_output=True, text=True, timeout=timeout)


def build_with_grader(command: str, out: Path, fixtures_dir: Path, env: dict) -> Path:
    """Run `python -m grader COMMAND OUT --fixtures FIXTURES` from the checkout (release, gradescope) and return OUT."""
    done = run_grader_command(command, out, "--fixtures", fixtures_dir, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def copy_exercise_files(source: Path, target: Path, rename: dict[str, str] | None = None) -> None:
    """The .py files of ``source`` (not ``__init__.py``) into ``target``, some renamed (``{"rsa.py": "rsa (1).py"}``)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, target / (rename or {}).get(path.name, path.name))
