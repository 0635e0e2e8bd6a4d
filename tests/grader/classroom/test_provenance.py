"""Commits, deadlines and lateness of student repositories (grader/classroom/provenance.py)."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timezone

import pytest

from grader.classroom.provenance import (
    commit_before,
    commits_after,
    export_commit,
    head_commit,
    parse_deadline,
    parse_late_penalty,
)
from grader.errors import GradingError


def git_commit(repo, files: dict, when: str, message="work") -> None:
    """Commit ``files`` (name -> text) into ``repo`` (created if new) with author and committer time ``when``."""
    repo.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "s",
           "GIT_AUTHOR_EMAIL": "s@x", "GIT_COMMITTER_NAME": "s", "GIT_COMMITTER_EMAIL": "s@x"}
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def test_the_last_commit_before_the_deadline_is_exported_without_touching_the_checkout(tmp_path):
    repo = tmp_path / "hw-alice"
    git_commit(repo, {"exercises/rsa.py": "first\n"}, "2026-11-30T12:00:00+00:00")
    git_commit(repo, {"exercises/rsa.py": "late\n"}, "2026-12-02T12:00:00+00:00")
    deadline = parse_deadline("2026-12-01T23:59")
    head, before = head_commit(repo), commit_before(repo, deadline)
    assert head.time == datetime(2026, 12, 2, 12, tzinfo=timezone.utc) and len(head.sha) == 40
    assert before.sha != head.sha and before.time < deadline and commits_after(repo, deadline) == 1
    exported = export_commit(repo, before.sha, tmp_path / "at-deadline")
    assert (exported / "exercises" / "rsa.py").read_text() == "first\n"
    assert (repo / "exercises" / "rsa.py").read_text() == "late\n"  # the checkout is unchanged
    assert commit_before(repo, parse_deadline("2026-11-01T00:00Z")) is None


def test_a_folder_inside_another_repository_is_not_taken_for_one(tmp_path):
    git_commit(tmp_path / "course", {"README": "x"}, "2026-11-30T12:00:00+00:00")
    (tmp_path / "course" / "students" / "bob").mkdir(parents=True)
    assert head_commit(tmp_path / "course" / "students" / "bob") is None
    assert head_commit(tmp_path) is None


@pytest.mark.parametrize("rule, hours_late, want", [("10%/day", 0, 0.0), ("10%/day", 0.5, 0.1), ("10%/day", 25, 0.2),
                                                    ("5%/hour", 3, 0.15), ("50%/day", 100, 1.0)])
def test_late_penalty(rule, hours_late, want):
    assert parse_late_penalty(rule).fraction(hours_late) == pytest.approx(want)


def test_bad_rules_and_deadlines_say_the_expected_form():
    with pytest.raises(GradingError, match="e.g. 10%/day"):
        parse_late_penalty("ten percent")
    with pytest.raises(GradingError, match="ISO 8601"):
        parse_deadline("next friday")
