"""Folding a messy reply into a form the cues can match, while remembering where each part came from.

Vietnamese is matched without diacritics ("giảm giá", "giam gia" and "GIẢM GIÁ" all become "giam gia"),
chat abbreviations are expanded ("ko" -> "khong", "dc" -> "duoc"), and every character of the folded
text keeps the span of the original characters it came from, so evidence can quote the trainee's words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CLAUSE_END = re.compile(r"\s*(?:[.,!?;:)\n]|$)")


@dataclass(frozen=True)
class Folded:
    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original character span behind folded characters start..end."""
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def fold_char(char: str) -> str:
    """One character folded: lower case, no diacritics, "đ" as "d", spaces as " ", curly quotes as "'"."""
    if char.isspace():
        return " "
    if char in "\u2019\u2018`\u00b4":
        return "'"
    if char in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", char.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _FoldTable(dict[int, str]):
    """A str.translate table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_char(chr(code))
        return folded


_TABLE = _FoldTable()


def plain(text: str) -> str:
    """'Đàm Phán' -> 'dam phan': lower case without diacritics, for search, file names and matching."""
    return text.translate(_TABLE)


def fold(text: str, abbreviations: Mapping[str, str] = {}, particles: Collection[str] = ()) -> Folded:
    """Lower-case, strip diacritics, normalise quotes and spaces, expand abbreviations.

    A word written with diacritics is never taken for an abbreviation: "ạ" is a particle, not "a" (anh).
    Nor is one of `particles` that ends a clause: "gửi anh nha a." ends with "ạ" typed plainly.
    """
    plain = text.translate(_TABLE)
    if len(plain) == len(text):  # one folded character per original one: the usual case
        starts = list(range(len(text)))
        ends = list(range(1, len(text) + 1))
    else:
        pieces: list[str] = []
        starts, ends = [], []
        for index, char in enumerate(text):
            folded = _TABLE[ord(char)]
            pieces.append(folded)
            starts.extend([index] * len(folded))
            ends.extend([index + 1] * len(folded))
        plain = "".join(pieces)
    if abbreviations:
        plain, starts, ends = _expand(text, plain, starts, ends, abbreviations, particles)
    return Folded(text, plain, tuple(starts), tuple(ends))


def _expand(
    text: str, plain: str, starts: list[int], ends: list[int], abbreviations: Mapping[str, str],
    particles: Collection[str],
) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    cursor = 0
    for match in _WORD.finditer(plain):
        word = match.group()
        expansion = abbreviations.get(word)
        if expansion is None:
            continue
        a, b = match.span()
        if has_marks(text[starts[a]:ends[b - 1]]) or (word in particles and _CLAUSE_END.match(plain, b)):
            continue
        out.append(plain[cursor:a])
        new_starts.extend(starts[cursor:a])
        new_ends.extend(ends[cursor:a])
        out.append(expansion)
        new_starts.extend([starts[a]] * len(expansion))
        new_ends.extend([ends[b - 1]] * len(expansion))
        cursor = b
    out.append(plain[cursor:])
    new_starts.extend(starts[cursor:])
    new_ends.extend(ends[cursor:])
    return "".join(out), new_starts, new_ends


def has_marks(word: str) -> bool:
    """Whether `word` carries a diacritic (\"đúng\" yes, \"dung\" and \"đc\" no)."""
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", word))
