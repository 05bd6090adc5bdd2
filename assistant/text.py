"""Text as a person reads it: internal notation removed, tables as one statement per row, sentences whole.
Shared by the answer engine and the answer plan."""

from __future__ import annotations

import re

# Internal notation that must never reach a reader: an amendment's change lines
# ("eu-ai-act:art-50: note -> ..."), bare citation ids, snake_case field values.
_CHANGE_PREFIX = re.compile(r"^[a-z0-9-]+:[a-z0-9-]+(?: and below)?:\s*[a-z_]+\s*->\s*")
_CITATION_ID = re.compile(r"\s*\(?\b[a-z0-9]+(?:-[a-z0-9]+)*:(?:art|annex|recital|rev|\d)[a-z0-9-]*\b\)?")
# A catalogue code quoted after its description: "Emotion recognition at work ('emotion_recognition')".
_QUOTED_CODE = re.compile(r"\s*\(['‘][a-z0-9]+(?:_[a-z0-9]+)+['’]\)")
# The triage rules' note of which profile fact implied another: bookkeeping, not an answer.
_IMPLIED = re.compile(r"\s*Implied by:[^.]*\.?")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


def clean_text(text: str) -> str:
    """`text` without internal ids or field notation, for prose a person reads."""
    text = _CHANGE_PREFIX.sub("", text.strip())
    text = _CITATION_ID.sub("", text)
    text = _QUOTED_CODE.sub("", text)
    text = _IMPLIED.sub("", text)
    text = re.sub(r"\b([a-z]+)_([a-z_]+)\b", lambda m: m.group(0).replace("_", " "), text)
    return re.sub(r"\.\.+$", ".", " ".join(text.split()))


def table_rows(lines: list[str]) -> list[str]:
    """A markdown table as one statement per row: 'NorthwindGPT (...): use: drafting; data allowed: ...'."""
    cells = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in lines
        if not _TABLE_RULE.match(line.strip())
    ]
    if len(cells) < 2:
        return [" ".join(lines)]
    header, *rows = cells
    rendered = []
    for row in rows:
        pairs = [f"{h.lower()}: {v}" for h, v in zip(header[1:], row[1:], strict=False) if v]
        rendered.append(f"{row[0]}: " + "; ".join(pairs) + ".")
    return rendered


def with_tables(text: str) -> list[str]:
    """The lines of `text`, each markdown table replaced by one line per row."""
    out: list[str] = []
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip().startswith("|"):
            table.append(line)
            continue
        if table:
            out.extend(table_rows(table))
            table = []
        out.append(line)
    return out[:-1]


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")
_SPLIT = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(])")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")


def statements(text: str) -> list[str]:
    """Sentences of `text` with wrapped lines joined (a paragraph or bullet is never cut at a line end) and
    each table row as one statement."""
    found: list[str] = []
    intro = ""
    for paragraph in _PARAGRAPH.split("\n".join(with_tables(text))):
        bullet = bool(_BULLET.match(paragraph))
        for s in _SPLIT.split(" ".join(paragraph.split())):
            s = s.lstrip("-*• ")
            if not s:
                continue
            # A list item reads whole with the sentence that introduces it.
            found.append(f"{intro} {s.rstrip(';,.')}." if bullet and intro else s)
        if not bullet:
            intro = found[-1] if found and found[-1].endswith(":") else ""
    return found
