"""Structural markers of legal texts ("1.", "(1)", "3.2.", "(a)", "(ii)", "Section A") and where they count.

A marker at the start of a block always counts as a candidate; inside flat text only at a plausible
boundary (after ":", ";", "." or "; and"), and never where its context shows an in-text reference such as
"point (a) of paragraph 1", "points (a) and (b)" or "Article 6(2)". Whether a candidate is accepted is
decided by the numbering (see `structure`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from knowledge.parsing.regulation.text import normalise_space


class Kind(IntEnum):
    """Kinds of numbered units, outermost first (the value is the depth rank)."""

    SECTION = 0  # "Section A" / "Section 1" inside an annex
    NUMBER = 1  # "1." or "(1)": an article's paragraph or definition, an annex's point
    DECIMAL = 2  # "3.2.": an annex sub-point
    LETTER = 3  # "(a)"
    ROMAN = 4  # "(ii)"


@dataclass(frozen=True)
class Mark:
    """One reading of a marker: its kind and value ("(i)" reads both as letter i and as roman 1)."""

    kind: Kind
    value: int | str  # a number, a letter, a roman numeral's value, a section's letter or number
    major: int = 0  # DECIMAL only: the point before the dot (3 in "3.2"); `value` is the part after it

    @property
    def label(self) -> str:
        """The marker as printed, without punctuation: "4", "3.2", "a", "ii", "A"."""
        if self.kind is Kind.ROMAN:
            return _to_roman(int(self.value))
        if self.kind is Kind.DECIMAL:
            return f"{self.major}.{self.value}"
        return str(self.value)

    def successor(self) -> Mark:
        """The marker that numbers the next sibling."""
        if isinstance(self.value, int):
            return Mark(self.kind, self.value + 1, self.major)
        if self.value.isdigit():  # a section numbered "1", "2"
            return Mark(self.kind, str(int(self.value) + 1))
        return Mark(self.kind, chr(ord(self.value) + 1))


@dataclass(frozen=True)
class Block:
    """A run of text from a source. Only markers at its start count unless `scan` is set.

    `scan` is for flat sources where a whole article is one line: markers are then searched inside the
    text, at plausible boundaries. `heading` marks a block that was a heading in the source (it matters
    for the lossy Markdown, see `build_tree`). `depth` is how many table cells enclose the block in the
    source (HTML only): a subparagraph after a list of points is then known to belong to the paragraph.
    """

    text: str
    scan: bool = False
    heading: bool = False
    depth: int | None = None  # table nesting in the source, when known: unmarked text closes deeper units


_ROMAN_RE = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")
_MARKER_RE = re.compile(
    r"""
    (?P<section>Section\s+(?P<sec>[A-Z]|\d{1,2})(?=\.?\s|\s*[—–-]|$)\.?)
    | \((?P<pnum>\d{1,3})\)
    | (?P<dec>\d{1,2}\.\d{1,2})\.
    | (?P<num>\d{1,3})\.
    | \((?P<alpha>[a-z]{1,4})\)
    """,
    re.VERBOSE,
)
# What must follow a marker: a space and the start of its text; not punctuation, "of", or "and (" / "to ("
# which mark an in-text reference such as "point (a) of", "points (a) and (b)", "points (a) to (d)".
_FOLLOW_RE = re.compile(r"\s+(?!(?:(?:and|or|and/or|to)\s+\(|of\b))[^\s,;:.)\]]|\s*$")
# A strong boundary before a marker: the start of the text, or after ":", ";", "." (optionally followed by
# closing quotes and "and"/"or", which one copy writes "; or,") or a dash.
_BOUNDARY_RE = re.compile(r"(?:^|[:;.][’'\"”]*(?:\s+(?i:and|or),?)?|[—–])\s*$")
_REFERENCE_WORDS = frozenset(
    "point points paragraph paragraphs subparagraph article articles annex annexes section chapter and or"
    " of to in under".split()
)


def _to_roman(number: int) -> str:
    numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, symbol in numerals:
        while number >= value:
            out += symbol
            number -= value
    return out


def _from_roman(text: str) -> int | None:
    if not text or not _ROMAN_RE.fullmatch(text):
        return None
    values = {"i": 1, "v": 5, "x": 10}
    total = 0
    for index, char in enumerate(text):
        value = values[char]
        following = values[text[index + 1]] if index + 1 < len(text) else 0
        total += -value if value < following else value
    return total


def _readings(match: re.Match[str]) -> tuple[Mark, ...]:
    if match["section"]:
        return (Mark(Kind.SECTION, match["sec"]),)
    if match["pnum"] or match["num"]:
        return (Mark(Kind.NUMBER, int(match["pnum"] or match["num"])),)
    if match["dec"]:
        major, minor = match["dec"].split(".")
        return (Mark(Kind.DECIMAL, int(minor), int(major)),)
    alpha = match["alpha"]
    marks: list[Mark] = []
    if len(alpha) == 1:
        marks.append(Mark(Kind.LETTER, alpha))
    roman = _from_roman(alpha)
    if roman is not None:
        marks.append(Mark(Kind.ROMAN, roman))
    return tuple(marks)


@dataclass(frozen=True)
class BlockStart:
    """Event: a new source block starts (with its table depth, when known)."""

    depth: int | None


@dataclass(frozen=True)
class Candidate:
    """Event: a marker that may open a unit, with its possible readings."""

    raw: str
    marks: tuple[Mark, ...]
    weak: bool  # preceded by a word rather than a boundary: only a heading may be followed by one
    heading: bool


Event = str | Candidate | BlockStart


def tokenise(blocks: list[Block]) -> list[Event]:
    """Split blocks into text and marker candidates, in order."""
    events: list[Event] = []
    for block in blocks:
        text = normalise_space(block.text)
        if not text:
            continue
        events.append(BlockStart(block.depth))
        matches = _MARKER_RE.finditer(text) if block.scan else [m for m in [_MARKER_RE.match(text)] if m]
        position = 0
        for match in matches:
            after_marker = isinstance(events[-1], Candidate) and not text[position : match.start()].strip()
            candidate = _candidate(text, match, after_marker=after_marker, heading=block.heading)
            if candidate is None:
                continue
            if match.start() > position:
                events.append(text[position : match.start()])
            events.append(candidate)
            position = match.end()
        if position < len(text):
            events.append(text[position:])
    return events


def _candidate(text: str, match: re.Match[str], *, after_marker: bool, heading: bool) -> Candidate | None:
    """The marker candidate at `match`, or None where the context shows an in-text reference."""
    weak = False  # a marker that starts its block always counts
    if match.start() > 0:
        before = text[: match.start()]
        if not before.endswith(" "):
            return None  # "Article 6(2)", "point (h)(iii)"
        if not after_marker and not _BOUNDARY_RE.search(before):
            previous_word = before.split()[-1].lower()
            if previous_word in _REFERENCE_WORDS or not previous_word[-1:].isalnum():
                return None
            weak = True
    if match.start() > 0 and not _FOLLOW_RE.match(text, match.end()):
        return None
    marks = _readings(match)
    return Candidate(match.group(), marks, weak, heading) if marks else None
