"""Text as a person reads it: internal notation removed, tables as one statement per row, sentences whole.
Shared by the answer engine and the answer plan, and by ingestion, which embeds the sentences an answer
compares with a question once, when a passage is indexed (`compared_texts`)."""

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
# A row's own id quoted after its name: "Security baseline check (`security-baseline`)".
_QUOTED_ID = re.compile(r"\s*\(`[a-z0-9]+(?:[-_][a-z0-9]+)+`\)")
# A code quote, and emphasis closed by the mark that opened it. Underscores mark emphasis only at word
# edges: inside a word (`customer_facing`) they belong to the word.
_CODE_QUOTE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"(\*\*|\*|(?<!\w)__|(?<!\w)_)(?=\S)(.+?)(?<=\S)\1(?!\w)")


def plain_markdown(text: str) -> str:
    """`text` as prose: markdown emphasis and code quotes dropped (a quoted field name reads as words:
    `customer_facing` as customer facing), spaces tidied."""
    text = _CODE_QUOTE.sub(lambda match: match.group(1).replace("_", " "), text)
    return " ".join(_EMPHASIS.sub(r"\2", text).split())


def clean_text(text: str) -> str:
    """`text` without internal ids, field notation or markdown marks, for prose a person reads."""
    text = plain_markdown(_QUOTED_ID.sub("", text.strip()))
    text = _CHANGE_PREFIX.sub("", text)
    text = _CITATION_ID.sub("", text)
    text = _QUOTED_CODE.sub("", text)
    text = _IMPLIED.sub("", text)
    text = re.sub(r"\b([a-z]+)_([a-z_]+)\b", lambda m: m.group(0).replace("_", " "), text)
    return re.sub(r"\.\.+$", ".", " ".join(text.split()))


_EMPTY_CELLS = frozenset({"-", "–", "—", "n/a", ""})


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
        # A dash or "n/a" marks an empty cell: it says nothing to read.
        pairs = [
            f"{h.lower()}: {v}"
            for h, v in zip(header[1:], row[1:], strict=False)
            if v and v.strip().lower() not in _EMPTY_CELLS
        ]
        rendered.append(f"{row[0]}: " + "; ".join(pairs) + ".")
    return rendered


def with_tables(text: str) -> list[str]:
    """The lines of `text`, each markdown table replaced by one line per row."""
    return [line for line, _ in _lines_and_rows(text)]


def table_row_lines(text: str) -> list[str]:
    """The rows of the markdown tables in `text`, each as `table_rows` renders it ("NorthwindGPT (...): use:
    drafting; data allowed: ...")."""
    return [line for line, row in _lines_and_rows(text) if row]


def _lines_and_rows(text: str) -> list[tuple[str, bool]]:
    """The lines of `text` as `with_tables` gives them, each marked whether it is a table's row."""
    out: list[tuple[str, bool]] = []
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip().startswith("|"):
            table.append(line)
            continue
        if table:
            rows = table_rows(table)
            out.extend((row, len(rows) > 1 or len(table) > 1) for row in rows)
            table = []
        out.append((line, False))
    return out[:-1]


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")
_SPLIT = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(])")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")


_BULLET_MARK = re.compile(r"^\s*(?:[-*•]\s+)+")


def statements(text: str) -> list[str]:
    """Sentences of `text` with wrapped lines joined (a paragraph or bullet is never cut at a line end) and
    each table row as one statement."""
    found: list[str] = []
    intro = ""
    for paragraph, row in _paragraphs(text):
        if row:
            # A row reads whole: its cells' own "; " ("within 1 hour; chair informed within 4 hours") would
            # otherwise cut it into pieces that no longer say which row they belong to.
            found.append(" ".join(paragraph.split()))
            intro = ""
            continue
        bullet = bool(_BULLET.match(paragraph))
        for s in _SPLIT.split(" ".join(paragraph.split())):
            # The bullet's mark only: "- **Data protection authorities**: ..." keeps its bold pair whole
            # for plain_markdown to drop ("Data protection authorities**:" had leaked its closing mark).
            s = _BULLET_MARK.sub("", s)
            if not s:
                continue
            # A list item reads whole with the sentence that introduces it.
            found.append(f"{intro} {s.rstrip(';,.')}." if bullet and intro else s)
        if not bullet:
            intro = found[-1] if found and found[-1].endswith(":") else ""
    return found


def _paragraphs(text: str) -> list[tuple[str, bool]]:
    """The paragraphs and bullets of `text`, and each table row on its own, marked whether it is a row."""
    out: list[tuple[str, bool]] = []
    prose: list[str] = []
    for line, row in [*_lines_and_rows(text), ("", True)]:
        if not row:
            prose.append(line)
            continue
        if prose:
            out.extend((p, False) for p in _PARAGRAPH.split("\n".join(prose)))
            prose = []
        if line:
            out.append((line, True))
    return out


# --- the statements of a passage, as the answer engine reads them (assistant/answering.py) ---------------

# A statement shorter than this is a heading, a label or a fragment, not an answer.
MIN_STATEMENT_WORDS = 8
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(‘'\"“])")
# Lines such as "Date: 2024-11-19" or "Owner team: Claims" are record fields, not statements.
_FIELD_LINE = re.compile(r"^[A-Z][A-Za-z ()]{0,40}:\s*\S{0,40}$")
_ITEM_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
# Bookkeeping lines of the knowledge packs: true, but never the answer to a question.
_METADATA_LINE = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}: |Effective date|Applies from|Knowledge as of|Entered into force|Source|Related|"
    r"Use cases|Not covered|Legal act|Area|Defined term|Status|Confidence|Instrument|Amendment|Reference|"
    r"As reported)\b"
)


def _items(text: str) -> list[str]:
    """Paragraphs, bullets and record fields of `text`, with wrapped lines joined back together."""
    items: list[str] = []
    current: list[str] = []
    for raw in with_tables(text):
        line = raw.strip()
        starts_item = (
            not line
            or bool(_ITEM_BULLET.match(raw))
            or bool(_FIELD_LINE.match(line) or ":" in line[:40])
            or bool(_METADATA_LINE.match(line))
        )
        if starts_item and current:
            items.append(" ".join(current))
            current = []
        if line:
            current.append(_ITEM_BULLET.sub("", line).strip())
            if starts_item and len(line.split()) < MIN_STATEMENT_WORDS and not line.endswith((".", ";", ",")):
                items.append(" ".join(current))  # a heading or a label stands alone
                current = []
    if current:
        items.append(" ".join(current))
    return items


def passage_sentences(text: str) -> list[str]:
    """Statements of `text`: sentences of its paragraphs and bullets, field labels and fragments dropped."""
    found: list[str] = []
    for item in _items(text):
        if _FIELD_LINE.match(item) or _METADATA_LINE.match(item):
            continue
        found.extend(
            " ".join(s.split())
            for s in _SENTENCE_END.split(item)
            if len(s.split()) >= 4 and not _METADATA_LINE.match(s.strip())
        )
    return found or [" ".join(text.split())]


# Kinds of document that are the organisation's own (a policy or a past review).
ORGANISATION_KINDS = ("policy", "review")


def passage_heading(locator: str, title: str) -> str:
    """The heading a passage's text starts with: 'Article 50: Transparency obligations'."""
    return f"{locator}: {title}"


def compared_texts(text: str, *, locator: str, title: str, kind: str) -> list[str]:
    """The texts of a passage the answer engine embeds to compare them with a question, each once: its
    statements (`assistant.answering.best_sentence`: the text after its heading, cleaned, split), and for
    the organisation's own passages each statement read under the heading
    (`assistant.organisation.statement_closeness`). Ingestion embeds them and keeps the vectors, so an
    answer looks them up instead of encoding them (knowledge/index.py: `KnownVectorsEmbedder`)."""
    heading = passage_heading(locator, title)
    body = text[len(heading) :] if text.startswith(heading) else text
    found = [clean_text(s) for s in passage_sentences(body)]
    texts = [s for s in found if s] or [clean_text(body)]
    if kind in ORGANISATION_KINDS:
        texts += [f"{title}: {sentence}" for sentence in statements(text) or [text]]
    return list(dict.fromkeys(t for t in texts if t))
