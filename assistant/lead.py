"""Answers that answer: retrieval conditioned on the question's analysis, and a lead that states the verdict,
date, period, amount or decision asked for, decided from structured facts (pack fields, the triage rules,
a review's decision) wherever they exist, before the best supporting sentence.

    analysis = analyse_question(question, internal_names=names)
    passages = conditioned_search(index, question, analysis, audience=reader, k=5)
    plan = plan_answer(analysis, passages, embedder=index.embedder)
    plan.lead      # "Yes. NYC Local Law 144 applies: ..." or None when no structured fact answers
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from functools import cache

import numpy as np
from pydantic import BaseModel, Field

from assistant.organisation import (
    OwnNames,
    best_statement,
    clause_verdict,
    decision_head,
    denies_asked_verb,
    list_items,
    own_names,
    rank_by_statement,
    read_review,
    review_decision_text,
    split_asks,
    without_names,
    words_of,
)
from assistant.question import (
    Ask,
    Focus,
    QuestionAnalysis,
    QuestionType,
    analyse_question,
    asks_condition,
    asks_for_set,
    counted_thing,
    is_polar,
    mentioned_names,
    mentions,
    named_regimes,
    question_type,
)
from knowledge import store
from knowledge.access import Audience
from knowledge.embedder import Embedder
from knowledge.index import KnowledgeIndex
from knowledge.lexical import tokenize
from knowledge.packs.loader import load_packs
from knowledge.packs.provenance import HISTORICAL, STATUS_LABELS, RecordStatus
from knowledge.packs.schema import Obligation, Pack, PackRecord, Role, TimeLimit
from knowledge.references import find_references
from knowledge.retrieval import Passage, SearchFilters, search
from knowledge.statements import ORGANISATION_KINDS, statements
from tools.triage.catalogue import REGIME_TRIGGERS, use_case
from tools.triage.engine import triage
from tools.triage.schemas import Ground, SystemProfile

# An organisation's passage leads an organisational question when it is about as close in meaning as the
# best passage of the law (set on the sample organisation's tuning questions, evals/datasets/leads_tuning).
ORGANISATION_MARGIN = 0.12
ORGANISATION_FLOOR = 0.3
# How many of the organisation's passages an organisational question reads before ranking them by the
# sentence that answers.
ORGANISATION_CANDIDATES = 12
# The share of the lead's score a supporting passage of another regime needs on a legal question (the
# answer engine's SUPPORT_RATIO).
SUPPORT_SHARE_OF_LEAD = 0.6
DEFINITION_MARGIN = 0.1
# A law passage supports an organisation's rule that names no regime only when it is this close in meaning
# to the question (below it, it is another regime that happened to rank).
RULE_BEHIND = 0.45
# How close in meaning a duty the triage finds must be to a "must we" question to answer it with yes.
DUTY_MATCH = 0.45


class Verdict(StrEnum):
    """The one-word answer to a yes/no question."""

    YES = "Yes"
    NO = "No"


class FactBasis(StrEnum):
    """Where the lead's fact comes from."""

    TRIAGE = "triage"  # the triage rules applied to the use case in the question
    PROHIBITED_RECORD = "prohibited_record"  # a record tagged prohibited
    TIME_LIMIT = "time_limit"  # a record's typed time limit
    APPLIES_FROM = "applies_from"  # a record's effective date after adopted amendments
    PENALTY = "penalty"  # a record's typed fine ceiling
    REVIEW_DECISION = "review_decision"  # a past review's decision and conditions
    WORDING = "wording"  # the modal verb of the best sentence (must, never, may)
    DEFINITION = "definition"  # a record that defines a term
    STATUS = "status"  # a record's status (in force, proposed, withdrawn, stayed...)
    OBLIGATIONS = "obligations"  # a record's typed obligations, for the role asked about
    PROHIBITIONS = "prohibitions"  # the records of a regime tagged prohibited
    RECORD_WORDING = "record_wording"  # a pack record's sentence: a denial, the body that acts, a permission


class AnswerPlan(BaseModel):
    """What the answer leads with, and from which passage."""

    verdict: Verdict | None = None
    fact: str | None = Field(default=None, description="The date, period, amount or decision, as prose.")
    basis: FactBasis | None = None
    lead_index: int = Field(default=0, description="Index in the passages of the one the lead cites.")
    cited: list[str] = Field(default_factory=list, description="Citation ids the structured fact rests on.")


# --- conditioned retrieval ------------------------------------------------------------------------------


def _merge(*rankings: Sequence[Passage]) -> list[Passage]:
    seen: set[str] = set()
    merged = []
    for ranking in rankings:
        for p in ranking:
            if p.citation_id not in seen:
                seen.add(p.citation_id)
                merged.append(p)
    return merged


def _narrow(
    filters: SearchFilters, *, sources: list[str] | None = None, kinds: list[str] | None = None
) -> SearchFilters | None:
    """The caller's filters further narrowed; None when the two exclude each other."""
    if sources and filters.sources:
        sources = [s for s in sources if s in filters.sources]
        if not sources:
            return None
    if kinds and filters.kinds:
        kinds = [k for k in kinds if k in filters.kinds]
        if not kinds:
            return None
    return SearchFilters(sources=sources or filters.sources, kinds=kinds or filters.kinds)


def _within(citation_id: str, cited: Sequence[str]) -> bool:
    """Whether `citation_id` is one of `cited` or a part of one (`x:20-871-a-1` of `x:20-871`)."""
    return any(citation_id == c or citation_id.startswith(c + "-") for c in cited)


def is_organisations(p: Passage) -> bool:
    """Whether a passage is the organisation's own (a policy or a past review)."""
    return p.kind in ORGANISATION_KINDS


def conditioned_search(
    index: KnowledgeIndex,
    question: str,
    analysis: QuestionAnalysis,
    *,
    audience: Audience,
    k: int,
    filters: SearchFilters | None = None,
) -> list[Passage]:
    """The `k` best passages in the order the analysis asks for: a named regime's own passages first (the
    organisation's next when the question is also about us, other regimes dropped); for a question about
    the organisation its policies and reviews first when they are about as close as the law, then the law;
    for a legal question the law first, the organisation's rule behind it next."""
    filters = filters or SearchFilters()
    # The organisation's own name matches every one of its introductions and says nothing of the topic.
    question = without_names(question, organisation_names(index).organisation) or question
    general = search(index, question, audience=audience, k=k, filters=filters)
    if analysis.focus is Focus.REGIME:
        narrowed = _narrow(filters, sources=analysis.regimes)
        named = search(index, question, audience=audience, k=k, filters=narrowed) if narrowed else []
        ours = [p for p in general if is_organisations(p)] if analysis.organisational else []
        rest = [p for p in general if p.source_id in analysis.regimes]
        # The plain ranking's own passages of the named regime keep their order (the full ranking placed
        # them); the narrowed search only adds what the other regimes had crowded out.
        return _merge(rest, named, ours)[:k] or general
    narrowed = _narrow(filters, kinds=list(ORGANISATION_KINDS))
    ours = (
        search(index, question, audience=audience, k=ORGANISATION_CANDIDATES, filters=narrowed)
        if narrowed
        else []
    )
    law = [p for p in general if not is_organisations(p)]
    reviewed = _named_reviews(index, question, analysis, ours, audience=audience, filters=filters)
    if reviewed:
        # The question names a system we reviewed: its review answers it, the rule behind it follows.
        return _merge(reviewed, law[:1], ours, law)[:k]
    best_law = max((p.similarity for p in law), default=0.0)
    close = [
        p
        for p in ours
        if p.similarity >= ORGANISATION_FLOOR
        and (analysis.type is QuestionType.PAST_DECISION or p.kind != "review")
    ]
    # A period or a date is picked by its own sentence among our passages (the plan's _our_sentence), so
    # for when / how long the sections keep their closeness order.
    # A question of two asks ("Who chairs the board and how often does it meet?") is answered by one
    # section as a whole: its sections are ranked by the sentence that answers all the same.
    by_statement = (
        analysis.type not in (QuestionType.HOW_LONG, QuestionType.WHEN) or len(split_asks(question)) > 1
    )
    if analysis.focus is Focus.ORGANISATION and close and by_statement and index.embedder is not None:
        close = rank_by_statement(question, close, index.embedder.embed([question])[0], index.embedder)
    # A list of our other documents or a template's blank to fill in says where the rule is, not what it
    # is: it follows the sections that state one.
    names = organisation_names(index).names
    close = [p for p in close if not _points_elsewhere(p, names)] + [
        p for p in close if _points_elsewhere(p, names)
    ]
    if (
        analysis.focus is Focus.ORGANISATION
        and close
        # A question that names us or our documents is about our rules; "we" alone may be about the law.
        and (analysis.internal_names or max(p.similarity for p in close) >= best_law - ORGANISATION_MARGIN)
    ):
        return _merge(close[:2], law, ours)[:k]
    # A legal question keeps the plain ranking: the law first wherever it ranks, nothing displaced.
    return general


# A template's field: an italic instruction on what to write ("*Tier from the Model Risk Tiering
# Standard, ...*").
_PLACEHOLDER = re.compile(r"^\s*([*_]).+\1\s*$")


def _points_elsewhere(p: Passage, names: Sequence[str]) -> bool:
    """Whether our section only points elsewhere: its items are the titles of our other documents
    ("Related documents"), or its text is a template's italic instructions."""
    lines = [line for line in p.text.splitlines() if line.strip()]
    if lines and all(_PLACEHOLDER.match(line) for line in lines):
        return True
    items = list_items(p.text)
    titles = " | ".join(names).lower()
    return len(items) >= 2 and sum(item.lower().rstrip(".") in titles for item in items) >= 0.6 * len(items)


def _named_reviews(
    index: KnowledgeIndex,
    question: str,
    analysis: QuestionAnalysis,
    ours: Sequence[Passage],
    *,
    audience: Audience,
    filters: SearchFilters,
) -> list[Passage]:
    """The past reviews of the systems the question names (by title), found among `ours` or fetched."""
    names = organisation_names(index)
    wanted = [
        n
        for n in analysis.internal_names
        if n in names.reviews
        # Named by its own words: a word shared with a document's title ("Falcon" of the Falcon
        # settlement and the Falcon scoring review) does not single the review out.
        and (
            mentioned_names(question, [n])
            or any(mentions(question, w) and w in n and w not in names.in_policies for w in names.words)
        )
    ]
    if not wanted:
        return []
    found = [p for p in ours if p.kind == "review" and p.title in wanted]
    if len(found) < len(wanted):
        narrowed = _narrow(filters, kinds=["review"])
        more = search(index, question, audience=audience, k=10, filters=narrowed) if narrowed else []
        found = _merge(found, [p for p in more if p.title in wanted])
    return found


def related_support(
    lead: Passage, candidates: Sequence[Passage], analysis: QuestionAnalysis
) -> list[Passage]:
    """Supporting passages that belong with the lead: its own regime, a regime the question names, or the
    organisation's own rule; never an unrelated regime. Behind an organisation's rule comes the law it
    names, else the one regime that ranked best."""
    if analysis.focus is Focus.LAW and not is_organisations(lead):
        # No regime named: retrieval may have led with the wrong one, so the others that scored close
        # to the lead stay (the plain ranking's rule); a named regime or our own rule filters below.
        return [p for p in candidates if p.score >= SUPPORT_SHARE_OF_LEAD * lead.score]
    regimes = {lead.source_id, *analysis.regimes}
    if is_organisations(lead):
        regimes |= _cited_regimes(lead)
        law = [p.source_id for p in candidates if not is_organisations(p) and p.similarity >= RULE_BEHIND]
        if law and not regimes & set(law):
            regimes.add(law[0])
    return [p for p in candidates if p.source_id in regimes or is_organisations(p)]


def _cited_regimes(p: Passage) -> set[str]:
    """Regimes an organisation's passage itself names ("meets Article 50(1) of the EU AI Act")."""
    return set(named_regimes(p.text)) | {
        m.split(":")[0] for m in re.findall(r"\b[a-z0-9-]+:[a-z0-9-]+\b", p.text)
    }


# --- structured facts -----------------------------------------------------------------------------------


@cache
def _packs() -> dict[str, Pack]:
    return {pack.regime_id: pack for pack in load_packs()}


def pack_record(citation_id: str) -> tuple[Pack, PackRecord] | None:
    """The pack record behind a citation id, if a built-in pack has one."""
    pack = _packs().get(citation_id.partition(":")[0])
    if pack is None or not pack.has_record(citation_id):
        return None
    return pack, pack.record(citation_id)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _period(limit: TimeLimit) -> str:
    unit = limit.unit.value.replace("_", " ")
    if unit == "days" and re.search(r"\bcalendar days\b", limit.text, re.IGNORECASE):
        unit = "calendar days"  # the limit's own words: not business days
    return f"{limit.value} {unit[:-1] if limit.value == 1 else unit}"


# "What are the penalties?" (every tier) rather than "What is the maximum fine?" (the one that applies).
_ALL_TIERS = re.compile(
    r"^(?!.*\b(?:maximum|max|top|highest|biggest|largest)\b).*\b(?:penalties|fines|caps|amounts)\b",
    re.IGNORECASE,
)


def _containers(pack: Pack, record: PackRecord) -> list[PackRecord]:
    """The record and the records it is a part of, nearest first (`x:art-83-5-a`, `x:art-83-5`, ...)."""
    found = [r for r in pack.records if record.citation_id.startswith(r.citation_id + "-")]
    return [record, *sorted(found, key=lambda r: -len(r.citation_id))]


def _rank(question_vector: np.ndarray | None, embedder: Embedder | None, texts: list[str]) -> list[int]:
    """Indexes of `texts`, closest in meaning to the question first (given order without an embedder)."""
    if embedder is None or question_vector is None or len(texts) < 2:
        return list(range(len(texts)))
    scores = embedder.embed(texts) @ question_vector
    return sorted(range(len(texts)), key=lambda i: -float(scores[i]))


def _rank_scores(
    question_vector: np.ndarray | None, embedder: Embedder | None, texts: list[str]
) -> list[float]:
    """Each text's closeness in meaning to the question (zeros without an embedder)."""
    if embedder is None or question_vector is None:
        return [0.0] * len(texts)
    return [float(x) for x in embedder.embed(texts) @ question_vector]


def _sentence_case(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def review_decision(p: Passage, analysis: QuestionAnalysis | None = None) -> str | None:
    """'TalentSift ...: approved with conditions on 2024-09-12 (internal tier T1; high-risk under the EU AI
    Act). Conditions: ...', or its rationale when the question asks why (see assistant.organisation)."""
    return review_decision_text(p, analysis)


# "Was it approved?", "Did we reject it?": the decision field answers.
_ASKS_APPROVED = re.compile(r"\b(?:approv\w*|accept\w*|green-?lit|sign(?:ed)? off)\b", re.IGNORECASE)
_ASKS_REJECTED = re.compile(
    r"\b(?:reject\w*|refus\w*|turn(?:ed)? down|block\w*|den(?:y|ied))\b", re.IGNORECASE
)


def _review_plan(analysis: QuestionAnalysis, p: Passage, index: int) -> AnswerPlan | None:
    """The lead from a past review the question is about: for a yes/no question the verdict its record
    gives (its decision, or the clause of its rationale or conditions about what is asked), then the
    decision; otherwise the decision with its conditions or reasons."""
    decision = review_decision(p, analysis)
    if decision is None:
        return None
    if analysis.type is not QuestionType.YES_NO and not is_polar(analysis.question):
        return AnswerPlan(fact=decision, basis=FactBasis.REVIEW_DECISION, lead_index=index)
    fields = read_review(p.text)
    outcome = (fields.decision or "").lower()
    verdict: Verdict | None = None
    fact = decision
    if _ASKS_REJECTED.search(analysis.question) and outcome:
        verdict = Verdict.YES if _ASKS_REJECTED.search(outcome) else Verdict.NO
    elif _ASKS_APPROVED.search(analysis.question) and outcome:
        verdict = Verdict.YES if outcome.startswith(("approved", "accepted")) else Verdict.NO
    else:
        question = analysis.question
        for name in analysis.internal_names:
            question = question.replace(name, " ")
        texts = [*statements(fields.rationale or ""), *fields.conditions]
        found = clause_verdict(question, texts)
        if found is not None:
            verdict = Verdict.YES if found[0] else Verdict.NO
            head = decision_head(fields, p.title)
            fact = f"{found[1].rstrip('.')}. {head}" if head else found[1]
    if verdict is None:
        return None
    return AnswerPlan(verdict=verdict, fact=fact, basis=FactBasis.REVIEW_DECISION, lead_index=index)


def _ground_reason(grounds: Sequence[Ground], wanted: set[str]) -> tuple[str, str | None]:
    """The reason of the ground citing one of `wanted` (the use case's provision), else of the last one."""
    chosen = next((g for g in grounds if g.citation in wanted), None)
    return (chosen.reason, chosen.citation) if chosen else ("", None)


def _triage_verdict(
    analysis: QuestionAnalysis, vector: np.ndarray | None = None, embedder: Embedder | None = None
) -> tuple[Verdict, str, list[str]] | None:
    """The triage rules applied to the use case the question describes: the verdict, its reason and the
    citations behind it."""
    other = [r for r in analysis.regimes if r != "eu-ai-act"]
    asks_regime = bool(other) and analysis.ask in (Ask.APPLIES, Ask.OBLIGATION)
    if not analysis.use_cases and not (asks_regime and analysis.ask is Ask.APPLIES):
        return None
    places = [j.value for j in analysis.jurisdictions] or ["EU"]
    profile = SystemProfile(
        name="the system in the question",
        description=analysis.question,
        use_cases=analysis.use_cases or ["other"],
        jurisdictions=places,
        in_eu_scope="EU" in places,
    )
    result = triage(profile)
    subject = use_case(analysis.use_cases[0]).description.rstrip(".").lower() if analysis.use_cases else ""
    wanted = {c for code in analysis.use_cases if (c := use_case(code).citation)}
    if asks_regime:
        finding = next((f for f in result.other_regimes if f.regime == other[0]), None)
        trigger = next((t for t in REGIME_TRIGGERS if t.regime == other[0]), None)
        if finding is None or trigger is None:
            return None
        title = _packs()[other[0]].title.split(" (")[0]
        cited = [g.citation for g in finding.grounds]
        if finding.applies:
            reason = finding.grounds[-1].reason.rstrip(".") if finding.grounds else ""
            return Verdict.YES, f"{title} covers a system that {subject}. {reason}", cited
        return (
            Verdict.NO,
            f"as described, {title} does not apply: it covers {trigger.subject}",
            [trigger.scope_citation] if trigger.scope_citation else [],
        )
    tier = result.eu_ai_act.tier.value
    reason, citation = _ground_reason([*result.eu_ai_act.grounds, *result.eu_ai_act.transparency], wanted)
    cited = [citation] if citation else [g.citation for g in result.eu_ai_act.transparency]
    if analysis.ask is Ask.CLASSIFICATION and analysis.tier_asked:
        label = {
            "high": "high-risk",
            "limited": "limited-risk (only the Article 50 transparency duties)",
        }.get(tier, tier)
        verdict = Verdict.YES if tier == analysis.tier_asked else Verdict.NO
        return verdict, f"under the EU AI Act a system that {subject} is {label}. {reason}".strip(), cited
    if analysis.ask is Ask.PERMISSION and tier == "prohibited":
        return Verdict.NO, f"the EU AI Act prohibits it. {reason}".strip(), cited
    if analysis.ask is Ask.APPLIES and set(analysis.regimes) <= {"eu-ai-act"}:
        # The Act reaches every AI system in its scope; what the question wants is whether duties follow.
        if tier in ("minimal", "out_of_scope"):
            label = "minimal-risk" if tier == "minimal" else "outside its scope"
            return (
                Verdict.NO,
                f"no specific EU AI Act duties: a system that {subject} is {label}. {reason}".strip(),
                cited,
            )
        label = {"high": "high-risk", "limited": "subject to the Article 50 transparency duties"}.get(
            tier, tier
        )
        return Verdict.YES, f"a system that {subject} is {label} under the EU AI Act. {reason}".strip(), cited
    if analysis.ask is Ask.OBLIGATION and embedder is not None and vector is not None:
        # A duty the triage finds for the system, close in meaning to what the question asks.
        duties = [(g.reason, g.citation) for g in result.eu_ai_act.transparency]
        duties += [(o.title, o.citation) for o in result.obligations]
        if duties:
            closeness = embedder.embed([text for text, _ in duties]) @ vector
            best = int(np.argmax(closeness))
            if float(closeness[best]) >= DUTY_MATCH:
                text, citation = duties[best]
                return Verdict.YES, f"for a system that {subject}: {text}", [citation]
    return None


_NEGATIVE = re.compile(
    r"\b(?:never|must not|may not|shall not|cannot|can not|not allowed|not permitted|prohibited|forbidden|"
    r"banned|"
    r"do(?:es)? not use)\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(r"\b(?:must|shall|has to|have to|is required|are required|requires?)\b", re.IGNORECASE)
_ONLY = re.compile(r"\b(?:only|unless|provided that|as long as)\b", re.IGNORECASE)
# A permission stated as a rule ("may be used", "is allowed"), not a label such as a table's "data allowed".
_ALLOWED = re.compile(
    r"\b(?:may|can)\s+(?:\w+\s+){0,2}(?:be\s+)?\w+|\b(?:is|are|be)\s+(?:\w+\s+)?(?:allowed|permitted)\b",
    re.IGNORECASE,
)


# An obligation as the packs index it: "Provider: As a foreign AI operator ..., appoint ...".
_DUTY_LINE = re.compile(
    r"^(?:" + "|".join(re.escape(r.value.replace("_", " ")) for r in Role) + r")s?: [A-Z]", re.IGNORECASE
)


def is_duty_line(sentence: str) -> bool:
    """Whether `sentence` is a typed obligation as the packs index it ("Organisation: Plan and run ...")."""
    return bool(_DUTY_LINE.match(sentence))


# "The UK has no AI Act", "there is no federal AI statute": a sentence denying that something exists.
_NONE = re.compile(r"\b(?:no|none|not|without|never)\b", re.IGNORECASE)


def duty_verdict(analysis: QuestionAnalysis, p: Passage, sentence: str) -> Verdict | None:
    """Yes to 'must we / do we need' when the sentence that answers is one of the typed obligations of
    the pack record it comes from ("Carry out AI system impact assessments at planned intervals")."""
    found = pack_record(p.citation_id)
    if analysis.ask is not Ask.OBLIGATION or found is None:
        return None
    words = set(tokenize(sentence))
    for obligation in found[1].obligations:
        duty = set(tokenize(obligation.text))
        if duty and len(words & duty) / len(duty) >= DUTY_WORDS and not _NEGATIVE.search(obligation.text):
            return Verdict.YES
    return None


# The share of an obligation's words a sentence must repeat to be that obligation.
DUTY_WORDS = 0.8


def wording_verdict(analysis: QuestionAnalysis, sentence: str) -> Verdict | None:
    """A verdict from what the best sentence plainly says, when no structured fact decides it: a
    prohibition answers 'can we' with no, a duty answers 'must we' with yes, a denial answers 'is there
    a' with no."""
    if analysis.ask is Ask.EXISTS:
        return Verdict.NO if _NONE.search(sentence) else Verdict.YES
    if analysis.ask is Ask.OBLIGATION and _DUTY_LINE.match(sentence) and not _NEGATIVE.search(sentence):
        return Verdict.YES
    if analysis.ask is Ask.PERMISSION:
        if _NEGATIVE.search(sentence) or denies_asked_verb(analysis.question, sentence):
            return Verdict.NO
        if _ALLOWED.search(sentence) and not _ONLY.search(sentence):  # "may ... only if": a condition
            return Verdict.YES
    if analysis.ask is Ask.OBLIGATION:
        if _EXEMPT.search(sentence):
            return Verdict.NO
        if _POSITIVE.search(sentence) and not _NEGATIVE.search(sentence):
            return Verdict.YES
    return None


# Out of a law's reach: answers "is X covered / does it apply" with no.
_OUTSIDE = re.compile(
    r"\b(?:outside|excluded from|exempt(?:ed)? from|out of (?:its )?scope)\b", re.IGNORECASE
)
# The share of the question's own words a sentence must say for its affirmation to answer yes.
COVERAGE = 0.5


def coverage_verdict(analysis: QuestionAnalysis, sentence: str, heading: str = "") -> Verdict | None:
    """For 'Does the profile mention prompt injection?' / 'Does Section 1557 reach decision support
    tools?' (no structured fact, no modal verb), from a sentence of the law that, read under its heading,
    states at least two and half of the question's own words (the regime's name aside): no when it denies
    one of them or puts the case outside the law's reach, else yes. A sentence about something else gives
    no verdict."""
    if analysis.ask not in (Ask.OTHER, Ask.APPLIES):
        return None
    stems = _asked_stems(analysis)
    # The sentence is read under its heading ("Environmental impacts: ... the footprint").
    if not _covers(stems, f"{heading} {sentence}"):
        return None  # about something else: "not trained on data" says nothing of health data
    if denies(stems, sentence) or (analysis.ask is Ask.APPLIES and _OUTSIDE.search(sentence)):
        return Verdict.NO
    return Verdict.YES


def _covers(stems: set[str], sentence: str) -> bool:
    """Whether `sentence` states at least two and half of the question's own words."""
    said = stems & _stems(sentence)
    return len(said) >= 2 and len(said) >= COVERAGE * len(stems)


# A duty waived: "is not required", "need not", "does not need to", "is exempt", "optional".
_EXEMPT = re.compile(
    r"\b(?:(?:is|are)\s+not\s+(?:required|needed|necessary|mandatory)|need\s+not|no\s+need|"
    r"do(?:es)?\s+not\s+(?:need|have)\s+to|(?:is|are)\s+exempt\w*|(?:is|are)\s+optional)\b",
    re.IGNORECASE,
)


_PERIOD = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|ten|twelve)\s+(?:business |working |calendar )?"
    r"(?:hours?|days?|weeks?|months?|years?)\b|"
    r"\b(?:annually|yearly|quarterly|monthly|weekly|every year|each year)\b",
    re.IGNORECASE,
)
# A sentence that cites a provision ("(Article 73)", "Art. 26(5)", "§ 1002.9").
_CITES_LAW = re.compile(r"\b(?:Article|Art\.)\s*\d|§\s*\d")
_DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4}\b"
)


def _our_sentence(
    passages: Sequence[Passage],
    pattern: re.Pattern[str],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> tuple[int, str] | None:
    """The organisation's sentence stating a period (or date), closest in meaning to the question. A
    sentence of ours that restates the law (it cites an article) is the rule behind ours, not ours: it
    answers only when no sentence of our own states one."""
    found = [
        (i, s)
        for i, p in enumerate(passages)
        if is_organisations(p)
        for s in statements(p.text)
        if pattern.search(s) and len(s.split()) >= 5
    ]
    if not found:
        return None
    found = [(i, s) for i, s in found if not _CITES_LAW.search(s)] or found
    return found[_rank(vector, embedder, [s for _, s in found])[0]]


def _two_asks(
    analysis: QuestionAnalysis, p: Passage, vector: np.ndarray | None, embedder: Embedder | None
) -> str | None:
    """For a question of two asks ("Who chairs the board and how often does it meet?"), the passage's
    sentence that answers each, closest in meaning to that ask (one stating a period for 'how often',
    a date for 'when'); None for a question of one ask or when one sentence answers both."""
    asks = split_asks(analysis.question)
    if len(asks) < 2 or embedder is None:
        return None
    found = [s for s in statements(p.text) if len(s.split()) >= 4 and not s.endswith(":")]
    if len(found) < 2:
        return None
    chosen: list[str] = []
    for ask in asks:
        kind = question_type(ask)
        pattern = {QuestionType.HOW_LONG: _PERIOD, QuestionType.WHEN: _DATE}.get(kind)
        pool = [s for s in found if pattern.search(s)] if pattern else []
        pool = pool or found
        best = best_statement(ask, pool, title=p.title, embedder=embedder, vector=embedder.embed([ask])[0])
        if best not in chosen:
            chosen.append(best)
    if len(chosen) < 2:
        return None
    return " ".join(s if s.endswith((".", "?", "!")) else s + "." for s in chosen)


# How much less close in meaning than the organisation's best sentence a sentence stating a rule (never,
# must) may be and still answer a "can we" / "must we" question.
RULE_MARGIN = 0.1


def _our_rule(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """For 'can we' / 'must we' about our own rules: the organisation's sentence that states the rule
    (a prohibition or a duty) among those closest in meaning, with the verdict it gives."""
    found = [
        (i, s)
        for i, p in enumerate(passages[:3])
        if is_organisations(p)
        for s in statements(p.text)
        if len(s.split()) >= 6 and not s.endswith(";")
    ]
    if not found or embedder is None or vector is None:
        return None
    closeness = embedder.embed([s for _, s in found]) @ vector
    best = float(closeness.max())
    for j in sorted(range(len(found)), key=lambda j: -float(closeness[j])):
        if float(closeness[j]) < best - RULE_MARGIN:
            break
        i, sentence = found[j]
        verdict = wording_verdict(analysis, sentence)
        if verdict is not None:
            return AnswerPlan(verdict=verdict, fact=sentence, basis=FactBasis.WORDING, lead_index=i)
    return None


def _law_rule(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """For 'can we' / 'must we' that our own passages lead without stating a rule: the law's passage closer
    in meaning to the question than our best one, whose sentence closest to the question states the rule
    (a duty, a prohibition), with the verdict it gives."""
    ours = max((p.similarity for p in passages if is_organisations(p)), default=0.0)
    law = sorted(
        (
            (i, p)
            for i, p in enumerate(passages)
            if not is_organisations(p) and p.similarity >= max(ours, RULE_BEHIND)
        ),
        key=lambda found: -found[1].similarity,
    )
    for i, p in law:
        sentences = [s for s in statements(p.text) if len(s.split()) >= 6 and not s.endswith((":", ";"))]
        if not sentences:
            continue
        sentence = sentences[_rank(vector, embedder, sentences)[0]]
        verdict = wording_verdict(analysis, sentence) or duty_verdict(analysis, p, sentence)
        if verdict is not None:
            return AnswerPlan(verdict=verdict, fact=sentence, basis=FactBasis.WORDING, lead_index=i)
    return None


# A question about our own rule: "our", "my" or "ours".
_OURS = re.compile(r"\b(?:our|ours|my)\b", re.IGNORECASE)


# An allow-list: "Only the tools below may be used with internal or confidential information."
_ONLY_LISTED = re.compile(
    r"\bonly\b.*\b(?:below|listed|following|these)\b.*\b(?:may|can)\b|"
    r"\bonly\b.*\b(?:may|can)\b.*\b(?:below|listed|following)\b",
    re.IGNORECASE,
)
# A product's name as people write it: "ChatGPT", "DeepSeek", "GitHub".
_PRODUCT = re.compile(r"\b[A-Z][a-z]*[A-Z][A-Za-z0-9]*\b")


def _not_listed(analysis: QuestionAnalysis, passages: Sequence[Passage]) -> AnswerPlan | None:
    """No to 'Can we use ChatGPT to ...?' when our passage allows only the tools it lists and the tool
    the question names is not among them."""
    names = [n for n in _PRODUCT.findall(analysis.question) if n not in analysis.internal_names]
    if not names:
        return None
    for i, p in enumerate(passages[:3]):
        if not is_organisations(p):
            continue
        rule = next((s for s in statements(p.text) if _ONLY_LISTED.search(s)), None)
        items = list_items(p.text)
        if rule is None or len(items) < 2:
            continue
        listed = " ".join(items).lower()
        missing = [n for n in names if n.lower() not in listed]
        if missing:
            allowed = ", ".join(re.sub(r"\s*\(.*?\)", "", item) for item in items)
            return AnswerPlan(
                verdict=Verdict.NO,
                fact=f"{missing[0]} is not on our list. {rule.rstrip('.:')}: {allowed}",
                basis=FactBasis.WORDING,
                lead_index=i,
            )
    return None


def plan_answer(
    analysis: QuestionAnalysis, passages: Sequence[Passage], *, embedder: Embedder | None = None
) -> AnswerPlan:
    """The structured fact the answer leads with, and the passage it cites."""
    if not passages:
        return AnswerPlan()
    vector = embedder.embed([analysis.question])[0] if embedder is not None else None
    records = [(i, found) for i, p in enumerate(passages) if (found := pack_record(p.citation_id))]
    kind = analysis.type
    # A review the question singles out by name leads (conditioned_search put it first).
    first = passages[0]
    singled_out = first.kind == "review" and first.title in analysis.internal_names
    if singled_out and (reviewed := _review_plan(analysis, first, 0)):
        return reviewed
    if kind is QuestionType.PAST_DECISION:
        for i, p in enumerate(passages):
            if p.kind == "review" and (decision := review_decision(p, analysis)):
                return AnswerPlan(fact=decision, basis=FactBasis.REVIEW_DECISION, lead_index=i)
    if kind is QuestionType.HOW_MUCH:
        # A record's own ceiling first; else a point of a fines article ("Article 83(5)(a)") that states
        # what is fined, with the ceiling of the paragraph it belongs to.
        fined = [(i, r) for i, (_, r) in records if r.penalty or r.penalty_tiers] or [
            (i, holder)
            for i, (pack, record) in records
            for holder in _containers(pack, record)[1:2]
            if holder.penalty or holder.penalty_tiers
        ]
        for i, holder in fined:
            penalties = [holder.penalty] if holder.penalty else list(holder.penalty_tiers)
            if penalties:
                if len(penalties) > 1 and _ALL_TIERS.search(analysis.question):
                    # "What are the civil penalties?": every tier, in the pack's order.
                    fact = "; ".join(f"{t.ceiling_text()} ({t.applies_to})" for t in penalties)
                    return AnswerPlan(fact=_sentence_case(fact), basis=FactBasis.PENALTY, lead_index=i)
                scores = _rank_scores(vector, embedder, [t.applies_to for t in penalties])
                scores = [
                    c + HEADING_WORDS * _shared_words(analysis.question, t.applies_to)
                    for c, t in zip(scores, penalties, strict=True)
                ]
                ceiling = penalties[int(np.argmax(scores))]
                fact = f"{_sentence_case(ceiling.ceiling_text())} ({ceiling.applies_to})"
                return AnswerPlan(fact=fact, basis=FactBasis.PENALTY, lead_index=i)
    ours_first = bool(passages) and is_organisations(passages[0]) and not analysis.regimes
    if (
        ours_first
        and kind is not QuestionType.YES_NO
        and (both := _two_asks(analysis, passages[0], vector, embedder))
    ):
        return AnswerPlan(fact=both, basis=FactBasis.WORDING, lead_index=0)
    if kind in (QuestionType.HOW_LONG, QuestionType.WHEN) and ours_first:
        stated = _our_sentence(
            passages, _PERIOD if kind is QuestionType.HOW_LONG else _DATE, vector, embedder
        )
        if stated:
            return AnswerPlan(fact=stated[1], basis=FactBasis.WORDING, lead_index=stated[0])
        return AnswerPlan()
    if kind is QuestionType.HOW_LONG or (kind is QuestionType.YES_NO and analysis.durations):
        limits = [(i, t) for i, (_, record) in records for t in record.time_limits]
        if limits:
            # Meaning, the words the question shares with the limit, and the share of its id's words the
            # question uses ("consumer-credit" against "business-credit": the small embedder hears the
            # two limits alike).
            scores = _rank_scores(vector, embedder, [t.text for _, t in limits])
            words = set(tokenize(analysis.question))
            # Between limits about as close, retrieval's order decides (LIMIT_RANK_COST a place).
            scores = [
                c
                + HEADING_WORDS * _shared_words(analysis.question, t.text)
                + HEADING_WORDS * len(set(tokenize(t.id)) & words) / max(1, len(set(tokenize(t.id))))
                - LIMIT_RANK_COST * i
                for c, (i, t) in zip(scores, limits, strict=True)
            ]
            i, best = limits[int(np.argmax(scores))]
            fact = f"{_period(best)}: {_sentence_case(best.text)}"
            if kind is QuestionType.YES_NO:
                asked = analysis.durations[0]
                same = (best.value, best.unit.value) == asked
                return AnswerPlan(
                    verdict=Verdict.YES if same else Verdict.NO,
                    fact=fact
                    if same
                    else f"the period is {_period(best)}, not {asked[0]} {asked[1].replace('_', ' ')}: "
                    f"{best.text.rstrip('.')}",
                    basis=FactBasis.TIME_LIMIT,
                    lead_index=i,
                )
            return AnswerPlan(fact=fact, basis=FactBasis.TIME_LIMIT, lead_index=i)
    if kind is QuestionType.WHEN:
        dated = [
            (i, pack, record) for i, (pack, record) in records if pack.effective_date(record.citation_id)
        ]
        # A definition's date is when the act started, not when the duties asked about apply: it answers
        # a 'when' question only if no record creating a duty has a date.
        duties = [(i, pack, r) for i, pack, r in dated if not (r.defined_term and not r.obligations)]
        dated = duties or dated
        if dated:
            # The small embedder hears sibling records of one act alike ("risk assessments before
            # significant-risk processing" against "when the ADMT rules apply"): the record whose topic
            # the question's own words cover is the one asked about.
            closeness = _rank_scores(vector, embedder, [f"{r.title}. {r.summary}" for _, _, r in dated])
            scores = [
                c + HEADING_WORDS * _topic_covered(analysis.question, r.title)
                for c, (_, _, r) in zip(closeness, dated, strict=True)
            ]
            i, pack, record = dated[int(np.argmax(scores))]
            effective = pack.effective_date(record.citation_id)
            assert effective is not None
            when = _long_date(effective)
            # "... law, from 1 January 2027" after "From 1 January 2027" says the date twice.
            title = re.sub(rf",?\s*(?:from|since)\s+{re.escape(when)}$", "", record.title)
            fact = f"From {when} ({record.locator}, {title})"
            return AnswerPlan(fact=fact, basis=FactBasis.APPLIES_FROM, lead_index=i)
    if kind is not QuestionType.YES_NO and not ours_first and counted_thing(analysis.question):
        counted = _count_plan(analysis, passages, records, vector, embedder)
        if counted:
            return counted
    if kind is not QuestionType.YES_NO and not ours_first and asks_for_set(analysis.question):
        whole = _set_plan(analysis, passages, records, vector, embedder)
        if whole:
            return whole
    if analysis.asks_prohibitions and not ours_first:
        banned = _prohibitions_plan(analysis, passages, records)
        if banned:
            return banned
    if kind is QuestionType.WHAT_MUST and not ours_first:
        owed = _obligations_plan(analysis, passages, records, vector, embedder)
        if owed:
            return owed
    if kind is QuestionType.YES_NO and analysis.ask is Ask.EXISTS:
        for i, (_, record) in records[:3]:
            if record.regime_id in analysis.regimes and _NONE.search(record.title):
                # "The UK has no AI Act, ...": the heading denies what the question asks exists.
                return AnswerPlan(
                    verdict=Verdict.NO, fact=record.title, basis=FactBasis.WORDING, lead_index=i
                )
    if kind is QuestionType.YES_NO and analysis.ask is Ask.STATUS:
        status = _status_plan(analysis, passages, records, vector, embedder)
        if status:
            return status
    if kind is QuestionType.WHO and not ours_first and _ASKS_SCOPE.search(analysis.question):
        covered = _scope_plan(analysis, passages, records, vector, embedder)
        if covered:
            return covered
    if kind is QuestionType.WHO and not ours_first:
        actor = _who_plan(analysis, passages, records, vector, embedder)
        if actor:
            return actor
    if kind is QuestionType.OTHER and not ours_first and _ASKS_ALLOWANCE.search(analysis.question):
        allowed = _allowance_plan(analysis, passages, records, vector, embedder)
        if allowed:
            return allowed
    if kind is not QuestionType.YES_NO and not ours_first and asks_condition(analysis.question):
        needed = _condition_plan(analysis, passages, records, vector, embedder)
        if needed:
            return needed
    if (
        kind is QuestionType.WHAT_IS
        and ours_first
        and not analysis.internal_names
        and not _OURS.search(analysis.question)
        # "What does the data minimisation principle mean when we build a model?": the term of the law
        # the question names whole (a heading of two words or more) is what it asks about; "we" is only
        # the setting ("our" would ask about our own rule).
        and (termed := _titled_by_question(analysis, passages, records, any_regime=True, min_words=2))
    ):
        return termed
    if kind is QuestionType.WHAT_IS and not ours_first:
        # A defining record leads only when it is about as close to the question as the best passage.
        top = passages[0].similarity
        defining = [
            (i, r)
            for i, (_, r) in records
            if r.defined_term and passages[i].similarity >= top - DEFINITION_MARGIN
        ]
        if defining:
            # Meaning, and whether the question names the term itself ("automated employment decision
            # tool" against "employment decision", defined beside it).
            scores = _rank_scores(vector, embedder, [f"{r.defined_term}: {r.summary}" for _, r in defining])
            scores = [
                c + HEADING_WORDS * _names_term(analysis.question, r.defined_term or "")
                for c, (_, r) in zip(scores, defining, strict=True)
            ]
            i, record = defining[int(np.argmax(scores))]
            # The summary of a defining record opens with the definition: it leads, whole.
            opening = _definition(analysis, record)
            return AnswerPlan(basis=FactBasis.DEFINITION, lead_index=i, fact=opening)
        titled = _titled_by_question(analysis, passages, records)
        if titled is not None:
            return titled
        termed = _term_plan(analysis, passages, records, vector, embedder)
        if termed is not None:
            return termed
    if kind is QuestionType.YES_NO:
        decided = _triage_verdict(analysis, vector, embedder)
        if decided:
            verdict, fact, cited = decided
            regimes = analysis.regimes or ["eu-ai-act"]
            lead = next(
                (i for i, p in enumerate(passages) if _within(p.citation_id, cited)),
                next(
                    (
                        i
                        for i, p in enumerate(passages)
                        if p.source_id in regimes and ":amendment-" not in p.citation_id
                    ),
                    0,
                ),
            )
            return AnswerPlan(
                verdict=verdict,
                fact=_sentence_case(fact),
                basis=FactBasis.TRIAGE,
                lead_index=lead,
                cited=cited,
            )
        if ours_first and analysis.ask is Ask.PERMISSION:
            unlisted = _not_listed(analysis, passages)
            if unlisted:
                return unlisted
        if ours_first and analysis.ask in (Ask.PERMISSION, Ask.OBLIGATION):
            ruled = _our_rule(analysis, passages, vector, embedder)
            if ruled:
                return ruled
            # "Do pictures from our image generator need a machine-readable marking?": no rule of ours
            # answers it, the law does.
            lawful = None if analysis.internal_names else _law_rule(analysis, passages, vector, embedder)
            if lawful:
                return lawful
        if analysis.ask is Ask.PERMISSION:
            bans = [(n, r) for n, (_, r) in records[:2] if "prohibited" in r.tags]
            if bans:
                # Of two bans ranked, the one closer in meaning: a lexical match on "face" ranks the
                # real-time identification ban above the scraping ban a database question is about.
                at, ban = max(bans, key=lambda found: passages[found[0]].similarity)
                return AnswerPlan(
                    verdict=Verdict.NO,
                    fact=f"{ban.locator} prohibits it: {ban.title}",
                    basis=FactBasis.PROHIBITED_RECORD,
                    lead_index=at,
                )
        if not ours_first and analysis.ask in (Ask.OTHER, Ask.CLASSIFICATION, Ask.STATUS):
            # No structured fact decides it: a record of the regime asked about that denies what the
            # question asks ("It preempts nothing by itself") answers no.
            denied = _denial_plan(analysis, passages, records, vector, embedder)
            if denied:
                return denied
    return AnswerPlan()


# "Who counts as an independent auditor?": where the term's edge lies, which the definition's next
# sentence draws ("Someone is not independent if ...").
_COUNTS_AS = re.compile(r"\bcounts? as\b", re.IGNORECASE)
_BOUNDARY = re.compile(r"\b(?:not|only|unless|outside|except|excluded?)\b", re.IGNORECASE)


def _definition(analysis: QuestionAnalysis, record: PackRecord) -> str | None:
    """The opening sentence of a defining record; for a 'what / who counts as' question, with the next
    sentence when it draws the term's edge (says who or what is not, or only, within it)."""
    found = statements(record.summary)
    if not found:
        return None
    if _COUNTS_AS.search(analysis.question) and len(found) > 1 and _BOUNDARY.search(found[1]):
        return f"{found[0]} {found[1]}"
    return found[0]


# "What is the statement of applicability in ISO 42001?": the term asked about follows "what is the".
_ASKED_TERM = re.compile(r"^\s*(?:and\s+)?what\s+(?:is|are)\s+(?:an?\s+|the\s+)?(.+?)\s*\??\s*$", re.I)


def _term_plan(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    vector: np.ndarray | None,
    embedder: Embedder | None,
) -> AnswerPlan | None:
    """'What is the statement of applicability in ISO 42001?', which no record defines or heads: the
    sentence of the regime's retrieved records that uses the term asked about (its longest opening of two
    words or more that a sentence says: "statement of applicability"), closest in meaning."""
    asked = _ASKED_TERM.match(analysis.question)
    if asked is None:
        return None
    words = asked.group(1).split()
    pool = _record_pool(analysis, passages, records, depth=len(passages))
    for n in range(len(words), 1, -1):
        term = re.compile(rf"\b{re.escape(' '.join(words[:n]))}\b", re.IGNORECASE)
        found = [(i, r, s, 0.0) for i, r in pool for s in statements(r.summary) if term.search(s)]
        # A retrieved record's sentence before one of a record it is a part of ("the statement of
        # applicability of controls (6.1.3)" of clause 6.1 only points to clause 6.1.3).
        found = [f for f in found if f[0] < len(passages)] or found
        if found:
            return _wording_fact(analysis, passages, found, vector, embedder)
    return None


def _titled_by_question(
    analysis: QuestionAnalysis,
    passages: Sequence[Passage],
    records: Sequence[tuple[int, tuple[Pack, PackRecord]]],
    *,
    any_regime: bool = False,
    min_words: int = 1,
) -> AnswerPlan | None:
    """'What does NIST mean by confabulation?': a retrieved record of the regime asked about (with
    `any_regime`, of any regime) whose heading is the very term the question names ("Confabulation",
    "Human-AI configuration"; at least `min_words` words) and that is about as close as the best
    passage; its summary opens by saying what the term is, so that sentence leads."""
    top = passages[0].similarity
    regimes = set(analysis.regimes) or {passages[0].source_id}
    titled = [
        (i, r)
        for i, (_, r) in records
        if (any_regime or r.regime_id in regimes)
        and ":amendment-" not in r.citation_id
        and len(tokenize(r.title)) >= min_words
        and _names_term(analysis.question, r.title) > 0
        and passages[i].similarity >= top - DEFINITION_MARGIN
    ]
    if not titled:
        return None
    # The longest heading named whole is the most specific one.
    i, record = max(titled, key=lambda found: (len(tokenize(found[1].title)), -found[0]))
    opening = next(iter(statements(record.summary)), None)
    if opening is None:
        return None
    return AnswerPlan(basis=FactBasis.DEFINITION, lead_index=i, fact=opening)


# --- where an instrument stands, what a regime prohibits, what a role must do -------------------------

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


def _passage_index(passages: Sequence[Passage], citation_id: str) -> int:
    """Where the passage of `citation_id` stands among `passages` (the first, when none is its own)."""
    return next((n for n, p in enumerate(passages) if p.citation_id == citation_id), 0)


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


# --- what a record's own words answer: a denial, the body that acts, what a provision allows -------------

# A negation and the words it governs ("does not authorise disparate-impact liability", "are not binding",
# "preempts nothing"); "not only" widens rather than denies.
_DENIAL = re.compile(
    r"(?:\b(?:not|never|no longer|cannot)|n't)\b(?!\s+only\b)((?:[\s-]+[\w()]+){1,3})|\b(\w+)\s+nothing\b",
    re.IGNORECASE,
)
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
_ASKED_STOP = frozenset(
    "does do did is are was were can could may might must shall should will would have has the a an of to "
    "for in on at by with and or any their its our this that these those what which who whom whose under "
    "about still".split()
)
# A sentence opening on a pronoun reads as the instrument it stands for when it leads alone.
_PRONOUN_START = re.compile(r"^(?:It|They|These|This)\b")


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


def denies(stems: set[str], sentence: str) -> bool:
    """Whether `sentence` negates one of the question's words ("Are the guidelines binding?" / "They are
    not binding"; "Does the order preempt state laws?" / "It preempts nothing by itself")."""
    return any(_stems(m.group(1) or m.group(2) or "") & stems for m in _DENIAL.finditer(sentence))


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
        if denies(stems, s) and _covers(stems, _named_sentence(r, s))
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


# --- the whole offline plan -------------------------------------------------------------------------------

_names_cache: dict[tuple[int, tuple[str, ...]], OwnNames] = {}


def organisation_names(index: KnowledgeIndex) -> OwnNames:
    """The organisation's names: the titles of its ingested past reviews (system names) and policies, and
    the words of those titles that no regulation uses (its own name, its systems' names). Cached per
    index and knowledge generation."""
    key = (id(index), tuple(index.active_gen_keys()))
    if key not in _names_cache:
        with index.db.session() as session:
            chunks = store.active_chunks(session=session)
            ours = [c for c in chunks if c.kind in ORGANISATION_KINDS]
            law = words_of(c.text for c in chunks if c.kind not in ORGANISATION_KINDS)
        names = own_names(
            documents=[c.title for c in ours if c.level == "document" and c.kind != "review"],
            reviews=[c.title for c in ours if c.kind == "review"],
            law_words=law,
        )
        headings = " ".join(c.title for c in ours if c.kind != "review")
        names.in_policies = [w for w in names.words if re.search(rf"\b{re.escape(w)}\b", headings)]
        _names_cache.clear()
        _names_cache[key] = names
    return _names_cache[key]


def internal_names(index: KnowledgeIndex) -> list[str]:
    """Names of the organisation's own systems and documents (see organisation_names)."""
    return organisation_names(index).names


class Prepared(BaseModel):
    """The analysis, the passages in the order it asks for, and the answer plan."""

    analysis: QuestionAnalysis
    passages: list[Passage]
    plan: AnswerPlan


def prepare_answer(
    index: KnowledgeIndex, question: str, *, audience: Audience, k: int, filters: SearchFilters | None = None
) -> Prepared:
    """Analyse `question`, retrieve conditioned on the analysis and plan the lead: the steps every answer
    path (`Assistant.ask`, the agent's answer tool, the model path) shares."""
    names = organisation_names(index)
    analysis = analyse_question(question, internal_names=names.names, own_words=names.words)
    passages = conditioned_search(index, question, analysis, audience=audience, k=k, filters=filters)
    plan = plan_answer(analysis, passages, embedder=index.embedder)
    # A plan resting on a record's own words cites that record, not a part of it retrieval ranked.
    exact = plan.basis in (FactBasis.RECORD_WORDING, FactBasis.OBLIGATIONS)

    def rests_on(p: Passage) -> bool:
        return p.citation_id in plan.cited if exact else _within(p.citation_id, plan.cited)

    if plan.cited and not any(rests_on(p) for p in passages):
        # The triage decided on a provision retrieval did not rank: fetch it, so the lead cites it.
        regime = plan.cited[0].partition(":")[0]
        narrowed = _narrow(filters or SearchFilters(), sources=[regime])
        # A pack record is found by its own heading; a triage ground by the fact it states.
        cited = pack_record(plan.cited[0])
        query = _heading_text(cited[1]) if cited else plan.fact or question
        found = search(index, query, audience=audience, k=k, filters=narrowed) if narrowed else []
        ground = next((p for p in found if rests_on(p)), None)
        if ground is None and cited is not None and narrowed is not None:
            ground = _cited_passage(index, plan.cited[0], audience=audience, filters=narrowed)
        if ground is not None:
            passages = [ground, *passages][:k]
            plan = plan.model_copy(update={"lead_index": 0})
    return Prepared(analysis=analysis, passages=passages, plan=plan)


def _cited_passage(
    index: KnowledgeIndex, citation_id: str, *, audience: Audience, filters: SearchFilters
) -> Passage | None:
    """The indexed passage of a pack record the plan rests on, read by its id when no search ranks it
    (a guideline's heading loses to the article it is about), if this reader may read it."""
    source, _, anchor = citation_id.partition(":")
    with index.db.session() as session:
        chunks = store.chunks_by_anchor(session=session, anchors=[anchor])
    for c in chunks:
        if (
            c.citation_id == citation_id
            and audience.can_read(c.visibility, list(c.groups))
            and (not filters.sources or source in filters.sources)
            and (not filters.kinds or c.kind in filters.kinds)
        ):
            return Passage.of_chunk(c, origin="pack")
    return None


def names_its_answer(prepared: Prepared) -> bool:
    """Whether a structured fact of the regime the question names answers it ("When does SB 942 become
    operative?"): in scope however loosely the passages' wording matches the question's."""
    plan, passages = prepared.plan, prepared.passages
    return (
        plan.fact is not None
        and plan.basis is not FactBasis.WORDING
        and bool(passages)
        and passages[plan.lead_index].source_id in prepared.analysis.regimes
    )


def plan_brief(plan: AnswerPlan) -> str | None:
    """The plan as one instruction for a language model: the verdict and fact it must lead with."""
    parts = []
    if plan.verdict:
        parts.append(f"the answer is {plan.verdict.value}")
    if plan.fact:
        parts.append(f"the structured fact is: {plan.fact}")
    if not parts:
        return None
    return "Lead with this, in your own words and cited: " + "; ".join(parts) + "."
