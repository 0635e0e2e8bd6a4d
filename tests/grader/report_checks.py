"""Checks of the report formats, shared by the report tests and the command-line tests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.reports import SCHEMA

STATUSES = {"passed", "failed", "not attempted", "error", "timeout", "memory"}
NUMBER = (int, float)


def _check_keys(record: dict, types: dict, where: str) -> None:
    assert set(record) == set(types), f"{where}: keys {sorted(record)} != {sorted(types)}"
    for key, kind in types.items():
        assert isinstance(record[key], kind) and not (kind is NUMBER and isinstance(record[key], bool)), (where, key)


def check_json_report(report: dict) -> dict:
    """The documented schema (grader/SCHEMA.md): every key, its type, nothing else."""
    _check_keys(report, {"schema": str, "error": (str, type(None)), "score": NUMBER, "max_score": NUMBER,
                         "passed": bool, "seconds": NUMBER, "exercises": list, "provenance": dict, "submission": dict,
                         "reflections": dict, "reflections_problem": str, "grader": dict, "isolation": str}, "report")
    assert report["schema"] == SCHEMA
    if report["error"] is None:  # grader/running/bubblewrap.py
        isolation = report["isolation"]
        assert isolation in ("", "bubblewrap sandbox") or isolation.startswith("process isolation only: ")
    for exercise in report["exercises"]:
        _check_keys(exercise, {"name": str, "module": str, "attempted": bool, "passed": bool, "status": str,
                               "score": NUMBER, "max_score": NUMBER, "message": str, "hint": str, "diagnosis": str,
                               "output": str,
                               "seconds": NUMBER, "cases": list}, exercise.get("name", "exercise"))
        assert exercise["status"] in STATUSES and 0 <= exercise["score"] <= exercise["max_score"]
        for case in exercise["cases"]:
            _check_keys(case, {"name": str, "passed": bool, "ran": bool, "hidden": bool, "message": str, "hint": str},
                        case.get("name", "case"))
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in report["submission"].values())
    assert all(isinstance(answered, bool) for answered in report["reflections"].values())
    if report["error"] is None:
        assert set(report["grader"]) == {"version", "sha256", "files"}
        assert "grader/running/child.py" in report["grader"]["files"]
    return report


def check_junit(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert suites and sum(int(suite.get("tests")) for suite in suites) == int(root.get("tests"))
    assert all(suite.findall("testcase") for suite in suites)
    return root


def check_gradescope(results: dict) -> dict:
    assert {"score", "execution_time", "output", "visibility", "tests"} <= set(results)
    assert isinstance(results["score"], NUMBER) and isinstance(results["execution_time"], int)
    for test in results["tests"]:
        assert {"score", "max_score", "status", "name", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and 0 <= test["score"] <= test["max_score"]
    return results
