"""Reports for people and machines: terminal text, JSON, JUnit XML, Gradescope results.json, GitHub Actions."""

from grader.reports.files import write_atomic
from grader.reports.github import github_annotations, in_github_actions, neutralise, step_summary
from grader.reports.gradescope import gradescope_error, gradescope_results
from grader.reports.jsonfile import SCHEMA, error_report, report_to_json
from grader.reports.junit import junit_error, junit_xml
from grader.reports.text import render_text

__all__ = ["render_text", "report_to_json", "error_report", "SCHEMA", "junit_xml", "junit_error", "gradescope_results",
           "gradescope_error", "step_summary", "github_annotations", "neutralise", "in_github_actions", "write_atomic"]
