"""How a heading or a sentence matches a question: shared words, a named term or number, the topic the
question's words cover, and the stems of what is asked."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.lead.facts import _packs
from assistant.organisation import in_relative_clause
from assistant.question import QuestionAnalysis
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.packs.provenance import RecordStatus
from knowledge.packs.schema import PackRecord

# What a place lower in the retrieval ranking costs a record whose duties read closer to the question.
RANK_COST = 0.05


# ... and a time limit: a tie-breaker only (a limit's few words are a weak signal of whose limit it is).
LIMIT_RANK_COST = 0.01


# How close in meaning a record's heading must be to the question to answer it unretrieved (a heading
# that restates the question, not one on the same topic).
HEADING_MATCH = 1.0


# How much a heading sharing every word of the question adds to its closeness in meaning.
HEADING_WORDS = 0.3


# A status question names its instrument by a word or two ("the Article 6 guidelines"): a heading closer
# than this answers it.
STATUS_HEADING_MATCH = 0.7


_heading_vectors: dict[tuple[int, str], np.ndarray] = {}


def _has_status(record: PackRecord) -> bool:
    """Whether a record has a status worth telling: guidance, a stay, a draft, a withdrawal, a note."""
    return record.status is not RecordStatus.IN_FORCE or bool(record.status_note) or "guidance" in record.tags


def _heading_match(
    vector: np.ndarray | None,
    embedder: Embedder | None,
    records: Sequence[PackRecord],
    threshold: float = HEADING_MATCH,
    question: str = "",
) -> PackRecord | None:
    """The record among `records` whose title restates the question (closeness >= HEADING_MATCH). Title
    vectors are embedded once per process and embedder."""
    if embedder is None or vector is None or not records:
        return None
    headings = [_heading_text(r) for r in records]
    missing = [h for h in headings if (id(embedder), h) not in _heading_vectors]
    if missing:
        for heading, row in zip(missing, embedder.embed(missing), strict=True):
            _heading_vectors[(id(embedder), heading)] = row
    closeness = np.stack([_heading_vectors[(id(embedder), h)] for h in headings]) @ vector
    # The small embedder hears "guidelines" in every guideline's heading alike; the words the question
    # shares with a heading ("Article 6", "classification") tell them apart.
    if question:
        closeness = closeness + HEADING_WORDS * np.array([_shared_words(question, h) for h in headings])
    best = int(np.argmax(closeness))
    return records[best] if float(closeness[best]) >= threshold else None


def _shared_words(question: str, heading: str) -> float:
    """The share of the question's words a heading has; numbers ("2022", "03") count double, as they
    name one instrument among its siblings."""
    words = set(tokenize(question))
    if not words:
        return 0.0
    weight = {w: 2.0 if any(ch.isdigit() for ch in w) else 1.0 for w in words}
    shared = words & set(tokenize(heading))
    return sum(weight[w] for w in shared) / sum(weight.values())


def _names_term(question: str, term: str) -> float:
    """1.0 when the question uses the whole term, weighted by its length in words (a longer term named
    whole is the more specific one), else 0."""
    words = tokenize(term)
    if not words or not set(words) <= set(tokenize(question)):
        return 0.0
    return min(1.0, len(words) / 4)


def _names_its_number(question: str, heading: str) -> bool:
    """Whether the heading carries every number the question names ("Circular 2022-03", "EO 14281")."""
    numbers = {w for w in tokenize(question) if any(ch.isdigit() for ch in w)}
    return bool(numbers) and numbers <= set(tokenize(heading))


_MONTHS = frozenset(
    tokenize("january february march april may june july august september october november december")
)


def _topic_covered(question: str, title: str) -> float:
    """The share of a record's topic words the question uses; the topic is the title after the act's
    name when the title starts with one ("CCPA ADMT rules - when the ADMT rules apply")."""
    # Dates in a title ("penalties from 2 August 2025") say when, not what: a question's own date is a
    # condition ("placed on the market before August 2025"), never the topic.
    topic = {w for w in tokenize(title.split(" - ", 1)[-1]) if w.isalpha() and w not in _MONTHS}
    return len(topic & set(tokenize(question))) / len(topic) if topic else 0.0


def _heading_text(record: PackRecord) -> str:
    """A record's heading as a reader sees it: 'Article 16: Obligations of providers of high-risk AI
    systems' (the locator often names what a question names: 'Article 6', 'Circular 2022-03')."""
    return f"{record.locator}: {record.title}"


# A negation and the words it governs ("does not authorise disparate-impact liability", "are not binding",
# "preempts nothing"); "not only" widens rather than denies.
_DENIAL = re.compile(
    r"(?:\b(?:not|never|no longer|cannot)|n't)\b(?!\s+only\b)((?:[\s-]+[\w()]+){1,3})|\b(\w+)\s+nothing\b",
    re.IGNORECASE,
)


_ASKED_STOP = frozenset(
    "does do did is are was were can could may might must shall should will would have has the a an of to "
    "for in on at by with and or any their its our this that these those what which who whom whose under "
    "about still need needs needed".split()
)


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in _ASKED_STOP}


def word_share(question: str, text: str) -> float:
    """The share of the question's content words (as 5-letter stems) that `text` says."""
    asked = _stems(question)
    return len(asked & _stems(text)) / len(asked) if asked else 0.0


def _said_stems(sentence: str) -> set[str]:
    """The stems of a sentence's own words, the capitalised words of names ("Enforcement Decree") left
    out (acronyms such as "DPIA" stay: they name the thing asked about)."""
    words = re.findall(r"[A-Za-z]+", sentence)
    return _stems(" ".join(w for n, w in enumerate(words) if n == 0 or w.isupper() or not w[:1].isupper()))


def _asked_stems(analysis: QuestionAnalysis) -> set[str]:
    """The question's content words (as 5-letter stems), without the names of the regimes it names."""
    named = set()
    for regime in analysis.regimes:
        pack = _packs().get(regime)
        if pack is not None:
            named |= _stems(pack.title)
    return _stems(analysis.question) - named


def denies(stems: set[str], sentence: str, question: str = "") -> bool:
    """Whether `sentence` negates one of the question's words ("Are the guidelines binding?" / "They are
    not binding"; "Does the order preempt state laws?" / "It preempts nothing by itself"). A word the
    `question` negates itself is restated, not denied ("Is a supplier that cannot say which model it uses
    a red flag?" / "Red flags ...: the supplier cannot say which model it uses")."""
    asked_denied = _denied(question)
    return any(
        _denied(sentence, m) & stems - asked_denied
        for m in _DENIAL.finditer(sentence)
        if not in_relative_clause(sentence, m.start())
    )


def _denied(text: str, match: re.Match[str] | None = None) -> set[str]:
    """The stems a denial negates: those of `match`, or of every denial in `text` without one."""
    found = [match] if match is not None else list(_DENIAL.finditer(text))
    return {stem for m in found for stem in _stems(m.group(1) or m.group(2) or "")}
