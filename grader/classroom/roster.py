"""Class rosters (GitHub Classroom, Canvas, Moodle exports) and how student folders are joined to their students.

A folder is matched to the student whose identifying strings (GitHub username, roster identifier, ids, login,
e-mail) it equals or ends with after a "-" (GitHub Classroom names repositories ``<assignment>-<username>``);
the longest such string wins, and a tie between two students leaves the folder unmatched (listed, never guessed).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GradingError

__all__ = ["RosterStudent", "Join", "load_roster", "join_folders", "ROSTER_FORMATS"]

ROSTER_FORMATS = {
    "github-classroom": ("identifier", "github_username"),
    "canvas": ("Student", "ID", "SIS Login ID"),
    "moodle": ("First name", "Email address"),
}


@dataclass(frozen=True)
class RosterStudent:
    name: str
    source: str  # a key of ROSTER_FORMATS
    identifier: str = ""  # GitHub Classroom's roster identifier (often an e-mail or a student number)
    github_username: str = ""
    github_id: str = ""
    lms_id: str = ""  # Canvas "ID"
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    id_number: str = ""  # Moodle "ID number"

    @property
    def student_id(self) -> str:
        return self.sis_user_id or self.id_number or self.lms_id or self.identifier

    def keys(self) -> set[str]:
        """The lower-case strings a folder of this student may be named by."""
        values = {self.github_username, self.identifier, self.sis_login_id, self.sis_user_id, self.lms_id,
                  self.id_number, self.email, self.email.split("@")[0] if "@" in self.email else ""}
        return {value.strip().lower() for value in values if value and value.strip()}


@dataclass
class Join:
    matched: dict  # folder name -> RosterStudent
    unmatched_folders: list  # (folder name, why)
    unmatched_students: list  # RosterStudent with no folder


def _field(row: dict, *names: str) -> str:
    for name in names:
        if row.get(name):
            return row[name].strip()
    return ""


def _student(row: dict, source: str) -> RosterStudent | None:
    if source == "github-classroom":
        return RosterStudent(name=_field(row, "name"), source=source, identifier=_field(row, "identifier"),
                             github_username=_field(row, "github_username"), github_id=_field(row, "github_id"))
    if source == "canvas":
        name = _field(row, "Student")
        if not name or "Points Possible" in name or name.lower() == "test student":
            return None  # Canvas's second row holds the points possible; its test student is nobody
        return RosterStudent(name=name, source=source, lms_id=_field(row, "ID"),
                             sis_user_id=_field(row, "SIS User ID"), sis_login_id=_field(row, "SIS Login ID"),
                             section=_field(row, "Section"), email=_field(row, "Email", "SIS Login ID")
                             if "@" in _field(row, "Email", "SIS Login ID") else "")
    last = _field(row, "Last name", "Surname")
    return RosterStudent(name=" ".join(part for part in (_field(row, "First name"), last) if part), source=source,
                         email=_field(row, "Email address"), id_number=_field(row, "ID number"))


def load_roster(path: Path) -> list[RosterStudent]:
    """The students of a roster CSV; its format is recognised by its header (the error lists the known ones)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise GradingError(f"cannot read the roster {path}: {error}") from None
    reader = csv.DictReader(text.splitlines())
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    source = next((name for name, needed in ROSTER_FORMATS.items() if all(column in header for column in needed)),
                  None)
    if source is None:
        known = "; ".join(f"{name}: {', '.join(columns)}" for name, columns in ROSTER_FORMATS.items())
        raise GradingError(f"the roster {path} has the columns {', '.join(header) or '(none)'}, which match no known "
                           f"export (expected the columns of one of: {known})")
    students = [student for row in reader if (student := _student(row, source)) is not None]
    if not students:
        raise GradingError(f"the roster {path} ({source} format) lists no students")
    return students


def _matches(folder: str, key: str) -> bool:
    return folder == key or folder.endswith("-" + key)


def join_folders(folder_names: list[str], roster: list[RosterStudent]) -> Join:
    """Match each folder to at most one student and each student to at most one folder."""
    matched: dict[str, RosterStudent] = {}
    unmatched_folders = []
    taken: dict[int, str] = {}
    for folder in folder_names:
        lowered = folder.lower()
        best: list[tuple[int, int]] = []  # (key length, roster index)
        for index, student in enumerate(roster):
            lengths = [len(key) for key in student.keys() if _matches(lowered, key)]
            if lengths:
                best.append((max(lengths), index))
        if not best:
            unmatched_folders.append((folder, "no roster entry matches this folder name"))
            continue
        longest = max(length for length, _ in best)
        winners = [index for length, index in best if length == longest]
        if len(winners) > 1:
            names = ", ".join(roster[index].name or roster[index].github_username for index in winners)
            unmatched_folders.append((folder, f"matches more than one student ({names})"))
        elif winners[0] in taken:
            unmatched_folders.append((folder, f"its student is already matched to {taken[winners[0]]}"))
        else:
            taken[winners[0]] = folder
            matched[folder] = roster[winners[0]]
    unmatched_students = [student for index, student in enumerate(roster) if index not in taken]
    return Join(matched, unmatched_folders, unmatched_students)
