"""Three-way merge of two edits of one text (word by word), keeping both sides where they overlap."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

__all__ = ["merge3"]

_TOKEN = re.compile(r"\s+|[^\s]+")


def _changes(base: list[str], other: list[str], side: int) -> list[tuple[int, int, list[str], int]]:
    """The edits that turn ``base`` into ``other``: (start, end) in base tokens, the replacement, the side."""
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2], side) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _apply(base: list[str], low: int, high: int, changes: list) -> list[str]:
    """``base[low:high]`` with the given edits (all inside that range) applied."""
    out, position = [], low
    for start, end, replacement, _ in changes:
        out += base[position:start] + replacement
        position = end
    return out + base[position:high]


def _words_within(short: list[str], long: list[str]) -> bool:
    """Whether the words of ``short`` appear in ``long`` in the same order (spaces aside): keeping ``long`` then
    drops no word of ``short``."""
    words = iter(token for token in long if not token.isspace())
    return all(any(word == other for other in words) for word in short if not word.isspace())


def merge3(base: str, mine: str, theirs: str) -> tuple[str, bool]:
    """``(merged text, whether the edits overlapped)``: edits of different parts are both applied; where both
    sides changed the same words, mine then theirs are kept side by side (nothing is dropped), unless the words of
    one side's change all appear, in order, in the other's: then the longer alone (a save sent again after its
    confirmation was lost, whose first words the file already holds, is not doubled); two insertions at the same
    place are both kept (mine first) and do not count as overlapping."""
    if mine == theirs or theirs == base:
        return mine, False
    if mine == base:
        return theirs, False
    base_tokens = _TOKEN.findall(base)
    events = sorted(_changes(base_tokens, _TOKEN.findall(mine), 0) + _changes(base_tokens, _TOKEN.findall(theirs), 1),
                    key=lambda event: (event[0], event[1]))
    out: list[str] = []
    position, overlapped, index = 0, False, 0
    while index < len(events):
        low, high = events[index][0], events[index][1]
        group = [events[index]]
        index += 1
        while index < len(events) and (events[index][0] < high or events[index][0] == low):
            group.append(events[index])
            high = max(high, events[index][1])
            index += 1
        out += base_tokens[position:low]
        sides = [[event for event in group if event[3] == side] for side in (0, 1)]
        if not sides[0] or not sides[1]:
            out += _apply(base_tokens, low, high, group)
        else:
            mine_part, theirs_part = (_apply(base_tokens, low, high, side) for side in sides)
            if _words_within(theirs_part, mine_part):  # e.g. a resend: the file already holds its first words
                out += mine_part
            elif _words_within(mine_part, theirs_part):
                out += theirs_part
            else:
                joint = mine_part and theirs_part and not mine_part[-1].isspace() and not theirs_part[0].isspace()
                out += mine_part + ([" "] if joint else []) + theirs_part
                overlapped = overlapped or low != high
        position = high
    out += base_tokens[position:]
    return "".join(out), overlapped
