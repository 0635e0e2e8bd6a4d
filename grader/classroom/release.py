"""`python -m grader release OUT_DIR`: a student repository without the reference solutions, grading from fixtures.

Copied from the course repository (tracked and new, not ignored, files of the working tree): ``lesson/``,
``exercises/``, ``grader/`` (its fixtures are written fresh), ``.streamlit/``, ``scripts/setup-env.sh``.
Written: ``grader/fixtures/``, ``lesson/data/rsa_selections.json`` (the RSA images of the fixtures' image sets),
``pyproject.toml``, ``run-app``, ``run-grader``, ``README.md``,
``.github/workflows/grade.yml``, ``.gitignore``, ``RELEASE.json``. Never: ``solutions/``, ``tests/``, ``bench/``,
nor ``grader/judging/formulations.py`` (it holds working implementations; the hints of a release come from the
mistake signatures stored in its fixtures). The fixtures are the public cases only: hidden ones are refused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from grader.cases.fixtures import ARRAYS_FILE, DEFAULT_FIXTURES_DIR, MANIFEST_FILE, FixtureSource
from grader.classroom import templates
from grader.errors import GradingError
from lesson.data.rsa_selection import STORED_FILE, write_stored_selections

__all__ = ["build_release", "copy_fixtures", "PROJECT_ROOT", "COPIED", "NEVER_FILES", "RELEASE_FILE"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
COPIED = ("lesson", "exercises", "grader", ".streamlit", "scripts/setup-env.sh")
NEVER = ("solutions", "tests", "bench")
NEVER_FILES = ("grader/judging/formulations.py",)  # working implementations of every exercise (for the signatures)
RELEASE_FILE = "RELEASE.json"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(PROJECT_ROOT), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _files_to_copy() -> list[Path]:
    """Relative paths: what git tracks or would track under COPIED (else every file), minus caches and fixtures."""
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *COPIED)
    if listed is not None:
        paths = [Path(name) for name in listed.split("\0") if name]
    else:
        paths = [path.relative_to(PROJECT_ROOT) for top in COPIED for path in sorted((PROJECT_ROOT / top).rglob("*"))
                 if path.is_file()] + [Path(top) for top in COPIED if (PROJECT_ROOT / top).is_file()]
    fixtures = DEFAULT_FIXTURES_DIR.relative_to(PROJECT_ROOT)
    return sorted({path for path in paths if (PROJECT_ROOT / path).is_file() and "__pycache__" not in path.parts
                   and path.suffix != ".pyc" and fixtures not in path.parents and path.parts[0] not in NEVER
                   and path.as_posix() not in NEVER_FILES})


def copy_fixtures(fixtures_dir: Path, destination: Path) -> FixtureSource:
    """Copy checked public fixtures (FixtureError if they do not match their manifest; GradingError for hidden
    ones, whose expected outputs students must never hold)."""
    source = FixtureSource.load(fixtures_dir)
    if source.case_set != "public":
        raise GradingError(f"the fixtures in {source.folder} hold hidden cases: a release carries the public cases "
                           "only (leave out --fixtures, or give fixtures made by `python -m grader fixtures DIR`)")
    destination.mkdir(parents=True, exist_ok=True)
    for name in (MANIFEST_FILE, ARRAYS_FILE):
        shutil.copyfile(source.folder / name, destination / name)
    return source


def _prepare_out(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force or not (out_dir / RELEASE_FILE).is_file():
            raise GradingError(f"{out_dir} exists and is not empty: choose a new folder (or --force to replace a "
                               "release made earlier; only a folder holding RELEASE.json is replaced)")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)


def _write(path: Path, text: str, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        path.chmod(0o755)


def build_release(out_dir: Path, *, fixtures_dir: Path | None = None, bank=None, settings=None,
                  force: bool = False, progress=None) -> dict:
    """Write a student release into ``out_dir`` and return what RELEASE.json records.

    The fixtures are copied from ``fixtures_dir`` when given (checked first), else built from ``bank`` (default:
    the bank ``settings`` select, built if missing) with the reference solutions.
    """
    out_dir = Path(out_dir).expanduser().resolve()
    if out_dir == PROJECT_ROOT or PROJECT_ROOT in out_dir.parents:
        raise GradingError(f"write the release outside the course repository ({PROJECT_ROOT}), not into {out_dir}")
    _prepare_out(out_dir, force)
    copied = _files_to_copy()
    for relative in copied:
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / relative, target)
    fixtures_out = out_dir / DEFAULT_FIXTURES_DIR.relative_to(PROJECT_ROOT)
    if fixtures_dir is not None:
        source = copy_fixtures(Path(fixtures_dir), fixtures_out)
    else:
        from grader.classroom.build import build_fixtures
        from grader.engine import load_bank

        if settings is None:
            from lesson.config import Settings

            settings = Settings.from_env()
        bank = bank if bank is not None else load_bank(settings, progress=progress)
        build_fixtures(bank, fixtures_out, settings=settings)
        source = FixtureSource.load(fixtures_out)
    # the app of a release builds its bank without the reference solutions: it reads the RSA images from here
    write_stored_selections(source.selections(), out_dir / STORED_FILE.relative_to(PROJECT_ROOT))
    manifest = source.manifest
    size = f"{manifest['bytes'] / 1e6:.1f} MB"
    version = manifest.get("grader_version") if manifest.get("grader_version") not in (None, "unknown") else "0.1.0"
    _write(out_dir / "pyproject.toml", templates.PYPROJECT.format(version=version))
    _write(out_dir / "run-app", templates.RUN_APP, executable=True)
    _write(out_dir / "run-grader", templates.RUN_GRADER, executable=True)
    _write(out_dir / ".github" / "workflows" / "grade.yml", templates.WORKFLOW)
    _write(out_dir / ".gitignore", templates.GITIGNORE)
    _write(out_dir / "README.md", templates.README.format(fixtures_size=size, install_size=templates.GRADE_INSTALL_SIZE))
    commit = (_git("rev-parse", "HEAD") or "").strip() or None
    from grader.classroom.official import stand_in_of

    record = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "source_commit": commit,
              "source_dirty": bool((_git("status", "--porcelain", "--", *COPIED) or "").strip()) if commit else None,
              "fixtures": {"sha256": manifest["sha256"], "bytes": manifest["bytes"],
                           "provenance_key": manifest.get("provenance", {}).get("key"),
                           "case_set": manifest.get("case_set", "public")},
              "stand_in": stand_in_of(manifest), "files": len(copied) + 9}
    _write(out_dir / RELEASE_FILE, json.dumps(record, indent=2) + "\n")
    for name in NEVER + NEVER_FILES:
        if (out_dir / name).exists():
            raise GradingError(f"internal error: the release contains {name}")
    return record
