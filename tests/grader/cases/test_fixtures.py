"""Grading fixtures: what they hold, reading them back, refusing tampered ones, and grading from them."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from grader_helpers import PROJECT_ROOT, SUBMISSIONS

from grader.cases.fixtures import FixtureError, FixtureSource, _ArrayTable, _decode, choose_source
from grader.registry import EXERCISES


def test_values_round_trip_with_their_types():
    table = _ArrayTable()
    value = {"a": [np.arange(3.0), (np.float32(1.5), 2, "x", None)], "b": np.array(["saw", "horn"])}
    spec = json.loads(json.dumps(table.encode(value)))
    back = _decode(spec, table.arrays)
    assert np.array_equal(back["a"][0], np.arange(3.0)) and not back["a"][0].flags.writeable
    assert isinstance(back["a"][1], tuple) and type(back["a"][1][0]) is np.float32 and back["a"][1][1:] == (2, "x", None)
    assert back["b"].tolist() == ["saw", "horn"]
    assert table.add(np.arange(3.0)) == spec["dict"][0][1]["list"][0]["array"]  # stored once


def test_fixtures_hold_every_exercise_like_the_reference_source(fixtures_dir, reference_source):
    source = FixtureSource.load(fixtures_dir)
    source.check_complete()
    manifest = source.manifest
    assert manifest["sha256"] and manifest["provenance"]["key"] and manifest["provenance"]["weights"]["kind"] == "random"
    assert manifest["bytes"] < 12 << 20  # 400 PCA images (issue 17) and the mistake signatures (issue 14): about 9 MB
    for exercise in EXERCISES:
        stored, reference = source.cases(exercise, ("edge", "random")), reference_source.cases(exercise, ("edge", "random"))
        assert [case.name for case in stored] == [case.name for case in reference]
        assert len(source.cases(exercise, ("bank",))) >= 1
    first = source.cases(EXERCISES[0], ("bank",))
    assert len(first) == 21 and all(case.args[0].shape[0] == 40 and case.hidden for case in first)
    assert first[0].args[0].ndim == 4 and np.prod(first[0].args[0].shape[1:]) <= 1024  # conv1 keeps its shape
    assert source.provenance()["fixtures"]["sha256"] == manifest["sha256"]


def test_stand_in_selection_is_stored(fixtures_dir, bank, stand_in_settings):
    source = FixtureSource.load(fixtures_dir)
    selection = source.selection(bank.provenance["images"]["manifest_sha256"], stand_in_settings.images_per_class,
                                 stand_in_settings.n_extreme)
    assert selection is not None and np.array_equal(selection["rsa_indices"], bank.rsa_indices)
    assert source.selection("0" * 64, 40, 5) is None


def test_tampered_fixtures_are_refused_with_exit_2(fixtures_dir, tmp_path, stand_in_env):
    from test_cli import run_grader

    tampered = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir, tampered)
    with open(tampered / "fixtures.npz", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0\1\2")
    with pytest.raises(FixtureError, match="sha256 .* but its manifest says"):
        FixtureSource.load(tampered)
    with pytest.raises(FixtureError, match="no readable grading fixtures"):
        choose_source(tmp_path / "nowhere")
    done = run_grader(["--fixtures", tampered, "--submission", PROJECT_ROOT / "solutions", "--json", tmp_path / "r.json"],
                      stand_in_env)
    assert done.returncode == 2 and "changed or damaged" in done.stderr
    assert "changed or damaged" in json.loads((tmp_path / "r.json").read_text())["error"]


def test_grading_from_fixtures_records_their_hash(fixtures_dir, tmp_path, stand_in_env):
    from test_cli import run_grader

    done = run_grader(["--fixtures", fixtures_dir, "--submission", PROJECT_ROOT / "solutions", "--format", "json"],
                      stand_in_env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["score"] == report["max_score"] == 15
    fixtures = report["provenance"]["fixtures"]
    assert fixtures["sha256"] == json.loads((fixtures_dir / "manifest.json").read_text())["sha256"]
    assert len(fixtures["manifest_sha256"]) == 64 and "grader/cases/fixtures.py" in report["grader"]["files"]
    wrong = run_grader(["--fixtures", fixtures_dir, "--submission", SUBMISSIONS / "wrong" / "pca_not_centred",
                        "--exercise", "PCA", "--format", "json"], stand_in_env)
    assert wrong.returncode == 1 and json.loads(wrong.stdout)["exercises"][0]["status"] == "failed"
