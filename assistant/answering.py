"""The offline answer engine: a direct lead sentence, supporting points, each marked with its citation,
then the sources; or an honest abstention. No language model is involved."""

from __future__ import annotations

import re
from datetime import date

from assistant.schemas import Answer, Citation
from knowledge.lexical import tokenize
from knowledge.packs.provenance import NOTED, read_provenance, reported_clause, status_clause
from knowledge.references import find_references
from knowledge.retrieval import Passage

MAX_POINTS = 3
LEAD_MAX_WORDS = 70
POINT_MAX_WORDS = 45
OFFICIAL_MAX_WORDS = 60
MIN_STATEMENT_WORDS = 8
SNIPPET_WORDS = 40
# A supporting passage must score at least this share of the best one, or it is noise.
SUPPORT_RATIO = 0.6

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(‘'\"“])")
# Lines such as "Date: 2024-11-19" or "Owner team: Claims" are record fields, not statements.
_FIELD_LINE = re.compile(r"^[A-Z][A-Za-z ()]{0,40}:\s*\S{0,40}$")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
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
    for raw in text.splitlines():
        line = raw.strip()
        starts_item = (
            not line
            or bool(_BULLET.match(raw))
            or bool(_FIELD_LINE.match(line) or ":" in line[:40])
            or bool(_METADATA_LINE.match(line))
        )
        if starts_item and current:
            items.append(" ".join(current))
            current = []
        if line:
            current.append(_BULLET.sub("", line).strip())
            if starts_item and len(line.split()) < MIN_STATEMENT_WORDS and not line.endswith((".", ";", ",")):
                items.append(" ".join(current))  # a heading or a label stands alone
                current = []
    if current:
        items.append(" ".join(current))
    return items


def _sentences(text: str) -> list[str]:
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


def _heading(p: Passage) -> str:
    return f"{p.locator}: {p.title}"


def _label(title: str, locator: str) -> str:
    return title if title == locator else f"{title}, {locator}"


def clip_words(text: str, words: int) -> str:
    """`text` cut to at most `words` words, marked with an ellipsis when cut."""
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]).rstrip(",;:") + " …"


def best_sentence(question: str, text: str, *, heading: str = "") -> str:
    """The statement of `text` sharing most words with `question` (earlier ones win ties). The passage's
    own heading, and other short lines, are used only when the text has no full sentence."""
    wanted = set(tokenize(question))
    if heading and text.startswith(heading):
        text = text[len(heading) :]
    sentences = _sentences(text)
    full = [s for s in sentences if len(s.split()) >= MIN_STATEMENT_WORDS] or sentences
    scored = [(len(wanted & set(tokenize(s))) - 0.01 * position, s) for position, s in enumerate(full)]
    return max(scored, key=lambda pair: pair[0])[1]


def is_grounded(question: str, passages: list[Passage], *, threshold: float) -> bool:
    """Whether the passages cover the question: a provision it names was found, or the best passage is
    similar enough (the threshold is calibrated on labelled in- and out-of-scope questions)."""
    if not passages:
        return False
    anchors = {ref.anchor for ref in find_references(question)}
    if anchors and any(p.citation_id.split(":", 1)[-1] in anchors for p in passages):
        return True
    return max(p.similarity for p in passages) >= threshold


def _statement(question: str, p: Passage, words: int) -> str:
    """The passage's best sentence for `question`, marked as history when its rule is withdrawn or
    superseded, and with one short clause when it rests on reporting rather than the official text."""
    provenance = read_provenance(p.text)
    text = clip_words(best_sentence(question, p.text, heading=_heading(p)), words)
    if provenance.historical:
        text = f"History only ({status_clause(provenance)}): {text}"
    if provenance.reported:
        text = f"{text} {reported_clause()}"
    return text


def _status_line(p: Passage) -> str | None:
    """A line showing a stayed, adopted or proposed record's status note, where the passage has one."""
    provenance = read_provenance(p.text)
    if provenance.status in NOTED and provenance.status_note:
        return f"Status of {p.locator}: {status_clause(provenance)}"
    return None


def _citation(p: Passage, question: str) -> Citation:
    return Citation(
        id=p.citation_id,
        source=p.source_id,
        title=p.title,
        locator=p.locator,
        snippet=clip_words(best_sentence(question, p.text, heading=_heading(p)), SNIPPET_WORDS),
        score=p.score,
    )


def compose_answer(
    question: str,
    passages: list[Passage],
    *,
    grounded: bool,
    as_of: date | None,
    contact: str,
    official: dict[str, str] | None = None,
) -> Answer:
    """Render the answer text and the citation list from ranked passages."""
    if not grounded:
        return abstain(question, passages, as_of=as_of, contact=contact)
    lead, *rest = passages
    support = [p for p in rest if p.score >= SUPPORT_RATIO * lead.score][:MAX_POINTS]
    used = [lead, *support]
    lines = [f"{_statement(question, lead, LEAD_MAX_WORDS)} [1]"]
    status = _status_line(lead)
    if status:
        lines.append(status)
    wording = (official or {}).get(lead.citation_id)
    if wording:
        lines.append(
            f'Official text, {lead.locator}: "{clip_words(" ".join(wording.split()), OFFICIAL_MAX_WORDS)}"'
        )
    if support:
        lines.append("")
        for number, p in enumerate(support, start=2):
            lines.append(f"- {p.locator}: {_statement(question, p, POINT_MAX_WORDS)} [{number}]")
    lines += ["", "Sources:"]
    lines += [f"[{n}] {_label(p.title, p.locator)} ({p.citation_id})" for n, p in enumerate(used, start=1)]
    if as_of:
        lines += ["", f"Knowledge as of {as_of.isoformat()}."]
    return Answer(
        question=question,
        answer="\n".join(lines),
        grounded=True,
        citations=[_citation(p, question) for p in used],
        knowledge_as_of=as_of,
    )


def abstain(question: str, passages: list[Passage], *, as_of: date | None, contact: str) -> Answer:
    """An honest 'I don't know' that names the nearest topics it does know and whom to ask."""
    lines = ["I don't know: nothing in my knowledge answers this with a source I can cite."]
    nearest = list(dict.fromkeys(_label(p.title, p.locator) for p in passages[:3]))
    if nearest:
        lines.append("The closest topics I do cover: " + "; ".join(nearest) + ".")
    lines.append(f"Please ask {contact}.")
    if as_of:
        lines.append(f"Knowledge as of {as_of.isoformat()}.")
    return Answer(
        question=question, answer="\n".join(lines), grounded=False, citations=[], knowledge_as_of=as_of
    )
