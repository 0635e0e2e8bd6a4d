"""What official grades are made of: the hidden case set (from the instructor's key), and loud stand-in warnings.

``instructor``, ``batch`` and the Gradescope archive grade on hidden cases; a release carries the public ones.
When fixtures come from an untrained network or stand-in images, ``release`` and ``gradescope`` print a warning
block and record it; ``instructor`` and ``batch`` refuse them with ``--require-pretrained``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from grader.errors import GradingError

__all__ = ["official_source", "hidden_fixtures_folder", "stand_in_of", "warn_stand_in", "check_pretrained",
           "warn_public"]


def stand_in_of(manifest_or_provenance: dict) -> dict:
    """{"weights", "images", "about"} of fixtures' manifest (its record, else worked out from its provenance)."""
    from grader.classroom.build import stand_in_notice

    if "stand_in" in manifest_or_provenance:
        return manifest_or_provenance["stand_in"]
    return stand_in_notice(manifest_or_provenance.get("provenance", manifest_or_provenance))


def warn_stand_in(notice: dict, what: str) -> None:
    """A block on stderr that no one scrolls past, when ``notice`` says the data are stand-ins."""
    if not notice.get("about"):
        return
    bar = "!" * 78
    print(f"{bar}\n!! WARNING: {what} grade on STAND-IN data, not on the lesson's real network and images:\n"
          f"!! {notice['about']}.\n!! Grades on it do not measure what the lesson teaches. For the real thing: "
          "download the pretrained\n!! weights and Imagenette (see README, Data), then rebuild with "
          f"--require-pretrained.\n{bar}", file=sys.stderr)


def warn_public(what: str) -> None:
    bar = "!" * 78
    print(f"{bar}\n!! WARNING: {what} grade on the PUBLIC cases, whose expected outputs every student release holds.\n"
          "!! For official grades use the hidden cases: leave out --fixtures (course repository, with your key) or\n"
          f"!! give hidden fixtures (`python -m grader fixtures DIR --hidden`).\n{bar}", file=sys.stderr)


def check_pretrained(provenance: dict, where: str) -> None:
    """GradingError unless ``provenance`` is the pretrained AlexNet on the lesson's images (--require-pretrained)."""
    notice = stand_in_of(provenance)
    if notice.get("about"):
        raise GradingError(f"--require-pretrained: {where} {notice['about']}. Download the pretrained weights and "
                           "Imagenette (README, Data) and build the bank or fixtures again, or leave out the option.")


def official_source(fixtures: Path | None, *, hidden_key: Path | None, bank_loader, require_pretrained: bool,
                    command: str):
    """The case source of an official grade: hidden fixtures (``fixtures``; public ones only with a warning), else
    the hidden case set of ``hidden_key`` on the bank (course repository); GradingError where neither can be had."""
    from grader.cases.case_sets import load_hidden_key
    from grader.cases.case_sources import ReferenceSource
    from grader.cases.fixtures import FixtureSource
    from lesson.references import references_available

    if fixtures is not None:
        source = FixtureSource.load(fixtures)
        if source.case_set != "hidden":
            warn_public(f"`{command}` will")
        if require_pretrained:
            check_pretrained(source.manifest, f"the fixtures in {source.folder} were built where")
        return source
    if not references_available():
        raise GradingError(f"`{command}` grades on the hidden cases, which need the reference solutions (the course "
                           "repository) or hidden fixtures: run it from the course repository, or pass --fixtures DIR "
                           "with fixtures made there by `python -m grader fixtures DIR --hidden`")
    case_set = load_hidden_key(hidden_key)
    return ReferenceSource.for_bank(bank_loader(), case_set)


def hidden_fixtures_folder(fixtures: Path | None, scratch: Path, *, hidden_key: Path | None, bank_loader,
                           settings) -> Path:
    """Hidden fixtures to ship (Gradescope): ``fixtures`` when they are hidden ones, else built now into ``scratch``
    from the bank with the key; GradingError for public fixtures (students hold their expected outputs)."""
    from grader.cases.fixtures import FixtureSource

    if fixtures is not None:
        source = FixtureSource.load(fixtures)
        if source.case_set != "hidden":
            raise GradingError(f"the fixtures in {source.folder} hold the public cases, whose expected outputs every "
                               "student release contains: a Gradescope archive needs hidden ones (leave out "
                               "--fixtures to build them with your key, or `python -m grader fixtures DIR --hidden`)")
        return source.folder
    from grader.cases.case_sets import load_hidden_key
    from grader.classroom.build import build_fixtures
    from lesson.references import references_available

    if not references_available():
        raise GradingError("hidden fixtures are built with the reference solutions: run this from the course "
                           "repository, or pass --fixtures DIR with hidden fixtures made there")
    build_fixtures(bank_loader(), scratch, settings=settings, case_set=load_hidden_key(hidden_key))
    return scratch
