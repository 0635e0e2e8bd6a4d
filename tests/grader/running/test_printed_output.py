"""What a submission prints: kept whole when short, its first and last lines when long; numpy's warnings explained."""

from __future__ import annotations

import textwrap

from grader import grade
from grader.reports.text import render_text
from grader.running.outcomes import explain_warnings, read_text

PRINTING_REDNESS = textwrap.dedent('''
    import numpy as np


    def redness(images):
        for index in range(200_000):
            print("line", index)
        means = np.asarray(images, dtype=float).mean(axis=(2, 3))
        return means[:, 0] - (means[:, 1] + means[:, 2]) / 2
''')


def test_short_output_is_kept_whole(tmp_path):
    path = tmp_path / "e0.out"
    path.write_text("".join(f"line {index}\n" for index in range(40)))
    assert read_text(path) == path.read_text()


def test_long_output_keeps_its_first_and_last_lines_and_counts_the_rest(tmp_path):
    path = tmp_path / "e0.out"
    path.write_text("".join(f"line {index}\n" for index in range(200_000)))
    lines = read_text(path).splitlines()
    assert lines[:20] == [f"line {index}" for index in range(20)]
    assert lines[-20:] == [f"line {index}" for index in range(199_980, 200_000)]
    assert lines[20] == "[... 199,960 more lines cut here: only the first and last 20 are kept ...]"
    assert len(lines) == 41


def test_a_function_printing_200000_lines_still_passes_with_its_output_capped(small_source, tmp_path):
    folder = tmp_path / "printing"
    folder.mkdir()
    (folder / "stimuli.py").write_text(PRINTING_REDNESS)
    report = grade(folder, ["redness"], source=small_source, time_limit=60, warm=False)
    (result,) = report.exercises
    assert result.passed, result.message
    printed = result.output.splitlines()
    assert printed[0] == "line 0" and printed[-1] == "line 199999"
    assert len(printed) <= 2 * 41  # (a numpy run and a torch run, each capped)
    assert "more lines cut here" in result.output
    text = render_text(report)
    assert "| line 0" in text and "| line 199999" in text
    assert "lines ...]" in text and "[... 6 lines ...]" not in text  # the count covers the lines cut before


def test_numpys_warnings_on_undefined_values_are_explained():
    warning = "rsa.py:7: RuntimeWarning: invalid value encountered in divide\n  unit = centred / norms\n"
    assert "not from a mistake of yours" in explain_warnings(warning)
    assert explain_warnings("my debug line\n") == ""
