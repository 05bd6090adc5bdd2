"""Plans read from a record's own words: a denial, the body that acts, whom an act covers, the conditions,
a count, a whole set, what a provision allows."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.lead.conditioned import _within
from assistant.lead.facts import _containers, _packs, _passage_index, _rank_scores
from assistant.lead.matching import (
    HEADING_WORDS,
    _asked_stems,
    _heading_text,
    _said_stems,
    _shared_words,
    _stems,
    denies,
)
from assistant.lead.models import AnswerPlan, FactBasis, Verdict
from assistant.lead.verdicts import _ALLOWED, _covers
from assistant.question import (
    QuestionAnalysis,
    counted_thing,
)
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.packs.schema import Pack, PackRecord
from knowledge.references import find_references
from knowledge.retrieval import Passage
from knowledge.statements import statements

# Who acts under a law: a public body or office named in the sentence.
_ACTOR = re.compile(
    r"\b(?:Attorney General|Ministry|Minister|Commission(?:er)?|[Aa]uthorit(?:y|ies)|[Aa]gency|Department|"
    r"Office|Board|[Cc]ourts?|[Rr]egulators?|Secretary|FTC|EEOC|CFPB|DCWP|DOJ|OES|CPPA)\b"
)


# "Who must comply with SB 53?", "Who does TRAIGA apply to?": whom an act covers, not who enforces it.
_ASKS_SCOPE = re.compile(
    r"\bwho\b.*\b(?:compl(?:y|ies)|appl(?:y|ies)|cover(?:s|ed)?|subject to|reach(?:es)?|bound by|"
    r"regulated)\b",
    re.IGNORECASE,
)


# A sentence saying whom an act covers: "applies to anyone who ...", "a frontier developer is anyone who".
_SCOPE_SENTENCE = re.compile(
    r"\bappl(?:y|ies) to\b|\breach(?:es)?\s+(?:\w+\s+)?(?:groups|anyone|persons|businesses)\b|"
    r"\b(?:is|are|means)\s+(?:anyone|any\s+(?:person|entity|business)|a\s+person|every)\b",
    re.IGNORECASE,
)


_SCOPE_TAGS = frozenset({"definitions", "scope"})


# "What does Article 4a allow?": the permission a provision gives.
_ASKS_ALLOWANCE = re.compile(
    r"^\s*(?:and\s+)?what\s+(?:does|do|did|would|will)\b.*\b(?:allow|permit|let|authori[sz]e|enable)s?\b",
    re.IGNORECASE,
)


# A sentence opening on a pronoun reads as the instrument it stands for when it leads alone.
_PRONOUN_START = re.compile(r"^(?:It|They|These|This)\b")


def _named_sentence(record: PackRecord, sentence: str) -> str:
    """`sentence` with an opening pronoun replaced by the instrument it stands for ("It preempts nothing"
    -> "Executive Order 14365 preempts nothing")."""
    name = record.instrument or record.locator
    # A list item ends on ";" ("(a) providers that ...;"): as a sentence of its own it ends on a full stop.
    sentence = re.sub(r"\s*[;,]\s*$", ".", sentence)
    if _PRONOUN_START.match(sentence) and name:
        return _PRONOUN_START.sub(name, sentence, count=1)
    return sentence


def _record_pool(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    *,
    tagged: bool = False,
    depth: int = 3,
) -> list[tuple[int, PackRecord]]:
    """Current records of the named regime (else the first passage's) among the first `depth` passages,
    with the records they are parts of (retrieval cites the part, the whole often states the answer) and,
    with `tagged`, the regime's records whose topic tags the question names ("enforces" / enforcement)."""
    regimes = set(analysis.regimes) or {passages[0].source_id}
    pool: dict[str, tuple[int, PackRecord]] = {}
    for i, (pack, record) in records:
        if i >= depth or record.regime_id not in regimes:
            continue
        for other in _containers(pack, record):
            pool.setdefault(other.citation_id, (i if other is record else len(passages), other))
    if tagged:
        stems = _asked_stems(analysis)
        for regime in regimes:
            held = _packs().get(regime)
            for record in held.records if held else ():
                if any(_stems(tag.replace("-", " ")) & stems for tag in record.tags):
                    pool.setdefault(record.citation_id, (len(passages), record))
    return [(i, r) for i, r in pool.values() if r.is_current and ":amendment-" not in r.citation_id]


def _wording_fact(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    found: Sequence[tuple[int, PackRecord, str, float]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
    verdict: Verdict | None = None,
) -> AnswerPlan | None:
    """The plan leading with the found sentence closest in meaning to the question (`bonus` added), cited
    to its record."""
    if not found:
        return None
    closeness = _rank_scores(vector, embedder, [s for _, _, s, _ in found])
    best = max(range(len(found)), key=lambda n: closeness[n] + found[n][3])
    _, record, sentence, _ = found[best]
    at = _passage_index(passages, record.citation_id)
    return AnswerPlan(
        verdict=verdict,
        fact=_named_sentence(record, sentence),
        basis=FactBasis.RECORD_WORDING,
        lead_index=at,
        cited=[record.citation_id],
    )


def _denial_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """No to 'Does EO 14365 preempt state AI laws?' when a record of the regime asked about says, in our
    own words, that it does not ("It preempts nothing by itself"): the sentence that denies a word of the
    question, closest in meaning to it."""
    stems = _asked_stems(analysis)
    # A record whose heading says what the question asks outweighs a passing carve-out in another
    # ("a framework that would not preempt state laws on child safety").
    found = [
        (i, r, s, HEADING_WORDS * _shared_words(analysis.question, _heading_text(r)))
        for i, r in _record_pool(analysis, passages, records)
        for s in statements(r.summary)
        # Read as it will lead ("They are not binding" names the guidelines), about what is asked.
        if denies(stems, s, analysis.question) and _covers(stems, _named_sentence(r, s))
    ]
    return _wording_fact(analysis, passages, found, vector, embedder, Verdict.NO)


def _who_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'Who enforces the Colorado AI Act?': the sentence of the regime's records that names a public body
    and says what the question asks it does (a word of the question: enforce, supervise, fine)."""
    stems = _asked_stems(analysis)
    found = [
        (i, r, s, HEADING_WORDS * len(_stems(s) & stems) / max(1, len(stems)))
        for i, r in _record_pool(analysis, passages, records, tagged=True)
        for s in statements(r.summary)
        if _ACTOR.search(s) and _said_stems(s) & stems
    ]
    return _wording_fact(analysis, passages, found, vector, embedder)


def _scope_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'Who must comply with SB 53?': the sentence of the named act's records that says whom it covers
    ("applies to anyone who ...", "a frontier developer is anyone who ..."), its definitions first."""
    if not analysis.regimes:
        return None
    pool = {r.citation_id: (i, r) for i, r in _record_pool(analysis, passages, records, depth=len(passages))}
    for regime in analysis.regimes:
        held = _packs().get(regime)
        for record in held.records if held else ():
            if record.is_current and _SCOPE_TAGS & set(record.tags):
                pool.setdefault(record.citation_id, (len(passages), record))
    found = [
        (i, r, s, HEADING_WORDS if _SCOPE_TAGS & set(r.tags) else 0.0)
        for i, r in pool.values()
        for s in statements(r.summary)
        if _SCOPE_SENTENCE.search(s)
    ]
    return _wording_fact(analysis, passages, found, vector, embedder)


FRAGMENT_COST = 0.2


# A heading saying it answers the question ("When an assessment is needed").
_WHEN_HEADING = re.compile(r"\bwhen\b|\bwhere\b|\bwhether\b", re.IGNORECASE)


# A sentence stating when a rule applies: "whenever processing is likely to result in a high risk".
_CONDITIONAL = re.compile(r"\b(?:where|whenever|if|in particular|likely to|before)\b", re.IGNORECASE)


def _condition_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'When is a DPIA required under the GDPR?': the sentence of the regime's records that states the
    case in which the thing asked about is needed (a condition, and a word of the question)."""
    stems = _asked_stems(analysis)
    found = [
        # A list's first item ("in particular for (a) ...;") is one case, not the rule: it pays.
        (
            i,
            r,
            s,
            HEADING_WORDS * bool(_WHEN_HEADING.search(r.title)) - FRAGMENT_COST * s.endswith((";", ":")),
        )
        for i, r in _record_pool(analysis, passages, records, depth=len(passages))
        for s in statements(r.summary)
        # Under a heading saying when ("When AI software is a medical device") every sentence states it.
        if (_CONDITIONAL.search(s) or _WHEN_HEADING.search(r.title)) and _said_stems(s) & stems
    ]
    return _wording_fact(analysis, passages, found, vector, embedder)


_COUNT_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"


def _count_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'How many risks does the Generative AI Profile list?': the sentence of the regime's records (the
    retrieved ones and the records they are parts of, which often hold the count) that states a number of
    the things counted ("The profile lists 12 risks ...")."""
    thing = counted_thing(analysis.question)
    if thing is None:
        return None
    number = re.compile(
        rf"\b(?:\d+|{_COUNT_WORDS})\s+(?:[\w-]+\s+){{0,2}}{re.escape(thing[:5])}\w*", re.IGNORECASE
    )
    found = [
        (i, r, s, HEADING_WORDS * _shared_words(analysis.question, _heading_text(r)))
        for i, r in _record_pool(analysis, passages, records, depth=len(passages))
        for s in statements(r.summary)
        if number.search(s)
    ]
    return _wording_fact(analysis, passages, found, vector, embedder)


# A sentence listing parts: numbered or lettered items, a colon and at least three items after it, a
# count announcing them ("There are two routes: ..."), or a range of numbered parts ("A.2 to A.10").
_ENUMERATES = re.compile(
    r"\(1\).*\(2\).*\(3\)|\(a\).*\(b\).*\(c\)|:[^.:]*,[^.:]*,|\b[A-Z]\.\d+ to [A-Z]\.\d+\b|"
    rf"\b(?:\d+|{_COUNT_WORDS})\s+(?:[\w-]+\s+){{0,2}}[\w-]+s\s*:",
    re.IGNORECASE,
)


# The share of the question's words the heading of the record holding the parts must have.
SET_HEADING = 0.25


def _set_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'What characteristics make an AI system trustworthy, per NIST?': retrieval finds the parts (one
    characteristic each), the record they belong to lists them all. The sentence listing them, of a
    retrieved record or one it is a part of whose heading says what the question asks for."""
    regimes = set(analysis.regimes) or {passages[0].source_id}
    pool: dict[str, PackRecord] = {}
    for _, (pack, record) in records:
        if record.regime_id in regimes:
            for holder in _containers(pack, record):
                pool.setdefault(holder.citation_id, holder)
    # A record whose heading says what the question asks for lists it, or the record it is a part of
    # ("The six lawful bases" points to (a)-(f), Article 6 names them); failing one, the first two
    # passages, which are about what is asked whatever their headings say.
    said = {cid: _topic_share(analysis, _heading_text(r)) for cid, r in pool.items()}
    found: dict[bool, list[tuple[int, PackRecord, str, float]]] = {True: [], False: []}
    for record in pool.values():
        named = max(
            v for cid, v in said.items() if cid == record.citation_id or _within(cid, [record.citation_id])
        )
        first = any(record.citation_id == p.citation_id for p in passages[:2])
        if record.is_current and ":amendment-" not in record.citation_id and (first or named >= SET_HEADING):
            found[named >= SET_HEADING] += [
                (len(passages), record, s, HEADING_WORDS * named)
                for s in statements(record.summary)
                if _ENUMERATES.search(s)
            ]
    return _wording_fact(analysis, passages, found[True] or found[False], vector, embedder)


def _topic_share(analysis: QuestionAnalysis, heading: str) -> float:
    """The share of the question's topic words (its words but those of the regimes it names: "risk
    management" of the AI RMF is no topic of a question about the AI RMF) that a heading has."""
    named: set[str] = set()
    for regime in analysis.regimes:
        pack = _packs().get(regime)
        if pack is not None:
            named |= set(tokenize(pack.title))
    topic = set(tokenize(analysis.question)) - named
    return len(topic & set(tokenize(heading))) / len(topic) if topic else 0.0


def _allowance_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'What does Article 4a allow?': the permission the provision gives (its sentence saying what may be
    done), from the provision the question names, else the first retrieved record of the regime."""
    named = {reference.anchor for reference in find_references(analysis.question)}
    pool = _record_pool(analysis, passages, records)
    chosen = [(i, r) for i, r in pool if r.citation_id.partition(":")[2] in named] or pool[:1]
    found = [(i, r, s, 0.0) for i, r in chosen for s in statements(r.summary) if _ALLOWED.search(s)]
    return _wording_fact(analysis, passages, found, vector, embedder)
