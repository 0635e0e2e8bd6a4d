"""JUnit XML: one testsuite per exercise, one testcase per case (CI systems show failures with their messages)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.reports.text import DIAGNOSIS_LABEL
from grader.results import GradeReport

__all__ = ["junit_xml", "junit_error"]

# Characters XML 1.0 cannot hold (NUL, escape codes, ...), which a submission's output may contain.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _element(parent, tag: str, text: str = "", **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: _clean(str(value)) for key, value in attributes.items()})
    if text:
        element.text = _clean(text)
    return element


def junit_xml(report: GradeReport) -> str:
    root = ET.Element("testsuites", {"name": "grader", "time": f"{report.seconds:.3f}"})
    total_tests = total_failures = total_errors = 0
    for exercise in report.exercises:
        suite = _element(root, "testsuite", name=exercise.name, time=f"{exercise.seconds:.3f}")
        properties = _element(suite, "properties")
        for key in ("module", "status", "score", "max_score", "attempted"):
            _element(properties, "property", name=key, value=getattr(exercise, key))
        if report.isolation:
            _element(properties, "property", name="isolation", value=report.isolation)
        failures = errors = 0
        classname = f"{exercise.module}.{exercise.name}"
        if not exercise.cases:  # not attempted, or the module could not be imported
            case = _element(suite, "testcase", classname=classname, name=exercise.name)
            tag = "error" if exercise.status == "error" else "failure"
            _element(case, tag, exercise.message, message=exercise.message.splitlines()[0][:500], type=exercise.status)
            failures, errors = (0, 1) if tag == "error" else (1, 0)
        for result in exercise.cases:
            case = _element(suite, "testcase", classname=classname, name=result.name)
            if not result.passed:
                failures += 1
                body = result.message + (f"\nHint: {result.hint}" if result.hint else
                                         f"\n{DIAGNOSIS_LABEL} {exercise.diagnosis}" if exercise.diagnosis else "")
                _element(case, "failure", body, message=(result.message.splitlines() or [""])[0][:500], type="failed")
        if exercise.output:
            _element(suite, "system-out", exercise.output)
        tests = max(1, len(exercise.cases))
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        total_tests, total_failures, total_errors = total_tests + tests, total_failures + failures, total_errors + errors
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def junit_error(reason: str) -> str:
    root = ET.Element("testsuites", {"name": "grader", "tests": "1", "failures": "0", "errors": "1"})
    suite = _element(root, "testsuite", name="grading", tests="1", failures="0", errors="1")
    case = _element(suite, "testcase", classname="grader", name="grading could run")
    _element(case, "error", reason, message=reason[:500], type="could not grade")
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
