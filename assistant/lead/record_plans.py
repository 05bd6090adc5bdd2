"""Plans read from a regime's records: where an instrument stands, what a regime prohibits, what a role
must do."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.lead.facts import _packs, _passage_index, _rank_scores
from assistant.lead.matching import (
    HEADING_WORDS,
    RANK_COST,
    STATUS_HEADING_MATCH,
    _has_status,
    _heading_match,
    _heading_text,
    _names_its_number,
    _shared_words,
    _stems,
)
from assistant.lead.models import AnswerPlan, FactBasis, Verdict
from assistant.question import QuestionAnalysis
from knowledge.embedder import Embedder
from knowledge.packs.provenance import HISTORICAL, STATUS_LABELS, RecordStatus
from knowledge.packs.schema import Obligation, Pack, PackRecord, Role
from knowledge.retrieval import Passage

# What a status question asks is true: "final"/"adopted" holds for an instrument adopted or in force;
# "in force"/"in effect"/"enforceable"/"cited" only for one in force now; "withdrawn"/"repealed" for history.
_ASKS_HISTORY = re.compile(r"\b(?:withdrawn|rescinded|repealed|superseded)\b", re.IGNORECASE)


_ASKS_ADOPTED = re.compile(r"\b(?:final|finali[sz]ed|adopted)\b", re.IGNORECASE)


_ADOPTED = frozenset({RecordStatus.IN_FORCE, RecordStatus.ADOPTED, RecordStatus.STAYED})


def status_verdict(question: str, status: RecordStatus) -> Verdict:
    """Whether a record with `status` is what the status question asks ("Is X final?", "still in force?")."""
    if _ASKS_HISTORY.search(question):
        return Verdict.YES if status in HISTORICAL else Verdict.NO
    if _ASKS_ADOPTED.search(question):
        return Verdict.YES if status in _ADOPTED else Verdict.NO
    return Verdict.YES if status is RecordStatus.IN_FORCE else Verdict.NO


def _status_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'Are the Article 6 guidelines final?': the verdict from the status of the record whose title is
    closest in meaning to the question, among the first three retrieved, with its status note."""
    candidates = [(i, r) for i, (_, r) in records if i < 3 and ":amendment-" not in r.citation_id]
    # The instrument asked about may not have ranked ("Are the Article 6 guidelines final?" finds Article
    # 6 itself): a record with a status to tell whose heading says what the question names is fetched.
    regimes = set(analysis.regimes) or {p.source_id for p in passages}
    heading = _heading_match(
        vector,
        embedder,
        [
            r
            for pack in _packs().values()
            if pack.regime_id in regimes
            for r in pack.records
            if _has_status(r)
        ],
        STATUS_HEADING_MATCH,
        analysis.question,
    )
    if heading is not None and all(r.citation_id != heading.citation_id for _, r in candidates):
        candidates.append((len(passages), heading))
    if not candidates:
        return None
    closeness = _rank_scores(vector, embedder, [_heading_text(r) for _, r in candidates])
    # Meaning alone cannot tell "Circular 2022-03" from "Circular 2023-03": the shared words can.
    scored = [
        c
        + HEADING_WORDS * _shared_words(analysis.question, _heading_text(r))
        + (HEADING_WORDS if _names_its_number(analysis.question, _heading_text(r)) else 0.0)
        for c, (_, r) in zip(closeness, candidates, strict=True)
    ]
    i, record = candidates[int(np.argmax(scored))]
    i = _passage_index(passages, record.citation_id)
    label = STATUS_LABELS[record.status]
    note = " ".join(record.status_note.split()).rstrip(".")
    fact = f"{record.locator} ({record.title}) is {label}" + (f": {note}" if note else "")
    return AnswerPlan(
        verdict=status_verdict(analysis.question, record.status),
        fact=fact,
        basis=FactBasis.STATUS,
        lead_index=i,
        cited=[record.citation_id],
    )


def _regime_records(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
) -> list[tuple[int, PackRecord]]:
    """Current records of the regime the question names (else of the first passage's regime)."""
    regimes = set(analysis.regimes) or {passages[0].source_id}
    return [
        (i, r)
        for i, (_, r) in records
        if r.regime_id in regimes and r.is_current and ":amendment-" not in r.citation_id
    ]


def _prohibitions_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
) -> AnswerPlan | None:
    """'What does TRAIGA prohibit?': the named regime's prohibitions (records tagged prohibited), the
    retrieved ones first, then the rest of the pack's, as one list."""
    found = [(i, r) for i, r in _regime_records(analysis, passages, records) if "prohibited" in r.tags]
    if not found:
        return None
    pack = _packs().get(found[0][1].regime_id)
    listed = [r for _, r in found]
    if pack is not None:
        listed += [
            r
            for r in pack.records
            if "prohibited" in r.tags and r.is_current and r not in listed and r.level is found[0][1].level
        ]
    items = "; ".join(f"{r.title.split(' - ')[-1].rstrip('.')} ({r.locator})" for r in listed)
    title = pack.title.split(" (")[0] if pack else found[0][1].regime_id
    return AnswerPlan(
        fact=f"{title} prohibits: {items}",
        basis=FactBasis.PROHIBITIONS,
        lead_index=found[0][0],
        cited=[r.citation_id for _, r in found],
    )


def _obligations_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'What must a large frontier developer publish under SB 53?': the typed obligations, for the role
    the question names, of the retrieved record closest in meaning to it; a definition never answers a
    'what must' question while a record creating duties is there."""
    roles = set(analysis.roles)
    candidates = []
    for i, record in _regime_records(analysis, passages, records):
        duties = [o for o in record.obligations if not roles or o.owner in roles]
        if duties:
            candidates.append((i, record, duties))
    # "What must providers of high-risk AI systems do?" is the heading of Article 16: a record whose heading
    # says what the question asks answers it, whether or not retrieval ranked it.
    regime = analysis.regimes[0] if analysis.regimes else passages[0].source_id
    pack = _packs().get(regime)
    if roles and pack is not None:
        owned = [r for r in pack.records if r.is_current and _duties_of(pack, r, roles)]
        heading = _heading_match(vector, embedder, owned, question=analysis.question)
        if heading is not None:
            duties = _duties_of(pack, heading, roles)
            at = _passage_index(passages, heading.citation_id)
            return _obligations_fact(heading, duties, at, vector, embedder, analysis.question)
    if not candidates:
        return None
    texts = [f"{r.title}. " + " ".join(o.text for o in duties) for _, r, duties in candidates]
    # Closeness in meaning decides, a lower retrieval rank paying for each place (the answer engine's
    # RANK_COST): GDPR Article 22(3), ranked first, keeps the lead over Article 22(1) two places down.
    scores = _rank_scores(vector, embedder, texts)
    # So does how close the passage is as a whole (its heading and summary beside the duties).
    scores = [c + passages[i].similarity for c, (i, _, _) in zip(scores, candidates, strict=True)]
    best = max(range(len(candidates)), key=lambda n: scores[n] - RANK_COST * candidates[n][0])
    i, record, duties = candidates[best]
    return _obligations_fact(record, duties, i, vector, embedder, analysis.question)


def _duties_of(pack: Pack, record: PackRecord, roles: set[Role]) -> list[Obligation]:
    """The record's own obligations for `roles`; for an article that types none itself ("Article 26:
    Obligations of deployers"), those of its current paragraphs, in order."""
    own = [o for o in record.obligations if o.owner in roles]
    if own or record.obligations:
        return own
    prefix = record.citation_id + "-"
    return [
        o
        for part in pack.records
        if part.citation_id.startswith(prefix) and part.is_current
        for o in part.obligations
        if o.owner in roles
    ]


_MUST_WORDS = frozenset({"must", "need", "needs", "requi", "oblig", "dutie"})


def _obligations_fact(
    record: PackRecord,
    duties: Sequence[Obligation],
    index: int,
    vector: np.ndarray | None = None,
    embedder: Embedder | None = None,
    question: str = "",
) -> AnswerPlan:
    """The record's duties as one list, the one closest in meaning to the question first (a long list is
    clipped: "what must they make public about their training content" keeps its answer), the rest in
    the pack's order."""
    # Only a question asking about more than the heading says ("What must deployers do?" does not)
    # reorders the list.
    asked = _stems(question) - _stems(record.title) - _MUST_WORDS
    if len(duties) > 1 and embedder is not None and vector is not None and asked:
        # Meaning and the question's words ("make public" / "Publish", "trained" / "training").
        scores = _rank_scores(vector, embedder, [o.text for o in duties])
        scores = [
            c + HEADING_WORDS * len(asked & _stems(o.text)) / len(asked)
            for c, o in zip(scores, duties, strict=True)
        ]
        first = int(np.argmax(scores))
        duties = [duties[first], *(o for n, o in enumerate(duties) if n != first)]
    listed = "; ".join(o.text.rstrip(".") for o in duties)
    return AnswerPlan(
        fact=f"{record.locator} ({record.title}): {listed}",
        basis=FactBasis.OBLIGATIONS,
        lead_index=index,
        cited=[record.citation_id],
    )
