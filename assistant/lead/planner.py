"""The lead plan: which structured fact answers the question, by its type (yes/no, when, how long, how
much, who, what must, what is), before the best supporting sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.lead.conditioned import _within, is_organisations
from assistant.lead.facts import (
    _ALL_TIERS,
    _containers,
    _long_date,
    _period,
    _rank_scores,
    _sentence_case,
    pack_record,
)
from assistant.lead.matching import HEADING_WORDS, LIMIT_RANK_COST, _names_term, _shared_words, _topic_covered
from assistant.lead.models import DEFINITION_MARGIN, ORGANISATION_MARGIN, AnswerPlan, FactBasis, Verdict
from assistant.lead.own_rules import (
    _OURS,
    _law_rule,
    _not_listed,
    _our_denial,
    _our_rule,
    _our_sentence,
    _two_asks,
    only_another_may,
    stated_verdict,
)
from assistant.lead.record_plans import _obligations_plan, _prohibitions_plan, _status_plan
from assistant.lead.verdicts import (
    _DATE,
    _NONE,
    _PERIOD,
    _PERIOD_OR_EVENT,
    _review_plan,
    _triage_verdict,
    review_decision,
)
from assistant.lead.wording import (
    _ASKS_ALLOWANCE,
    _ASKS_SCOPE,
    _allowance_plan,
    _condition_plan,
    _count_plan,
    _denial_plan,
    _record_pool,
    _scope_plan,
    _set_plan,
    _who_plan,
    _wording_fact,
)
from assistant.question import (
    Ask,
    QuestionAnalysis,
    QuestionType,
    asks_condition,
    asks_for_set,
    counted_thing,
    stated_durations,
)
from knowledge.embedder import Embedder
from knowledge.lexical import tokenize
from knowledge.packs.schema import Pack, PackRecord
from knowledge.retrieval import Passage
from knowledge.statements import statements


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
        # "By when must the post-incident review be held?" is answered by a date or, in our rules more
        # often, a period from an event ("within 20 working days of closing").
        stated = (
            _our_sentence(
                passages,
                _PERIOD if kind is QuestionType.HOW_LONG else _DATE,
                vector,
                embedder,
                question=analysis.question,
            )
            or (
                kind is QuestionType.WHEN
                and _our_sentence(passages, _PERIOD_OR_EVENT, vector, embedder, question=analysis.question)
            )
            or None
        )
        if stated:
            return AnswerPlan(fact=stated[1], basis=FactBasis.WORDING, lead_index=stated[0])
        return AnswerPlan()
    if kind is QuestionType.YES_NO and analysis.durations and ours_first:
        # "Is the RAI office's answer time three working days?": our sentence's period against the one
        # asked; a sentence with several periods ("10 years for high-risk systems and 6 years otherwise")
        # is shown whole, without a verdict it cannot give alone.
        stated = _our_sentence(passages, _PERIOD, vector, embedder, question=analysis.question)
        if stated:
            at, sentence = stated
            said = set(stated_durations(sentence))
            asked = analysis.durations[0]
            if len(said) == 1:
                (period,) = said
                if period == asked:
                    return AnswerPlan(
                        verdict=Verdict.YES, fact=sentence, basis=FactBasis.WORDING, lead_index=at
                    )
                return AnswerPlan(
                    verdict=Verdict.NO,
                    fact=f"the period is {_spoken(period)}, not {_spoken(asked)}: {sentence}",
                    basis=FactBasis.WORDING,
                    lead_index=at,
                )
            return AnswerPlan(fact=sentence, basis=FactBasis.WORDING, lead_index=at)
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
        if ours_first and (in_words := stated_verdict(passages)):
            return in_words
        if ours_first and (alone := only_another_may(analysis, passages)):
            return alone
        if ours_first and analysis.ask is Ask.PERMISSION:
            unlisted = _not_listed(analysis, passages)
            if unlisted:
                return unlisted
        if ours_first and analysis.ask in (Ask.OTHER, Ask.APPLIES):
            denied = _our_denial(analysis, passages, vector, embedder)
            if denied:
                return denied
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
            if ours_first:
                # Behind our own section, a ban of the law answers only when it is about as close: a
                # marketing deep fake is not the ban on non-consensual intimate imagery.
                floor = passages[0].similarity - ORGANISATION_MARGIN
                bans = [(n, r) for n, r in bans if passages[n].similarity >= floor]
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


def _spoken(period: tuple[int, str]) -> str:
    """A (value, unit) period as words: (2, "business_days") -> "2 working days"."""
    value, unit = period
    words = unit.replace("business_", "working ").replace("_", " ")
    return f"{value} {words[:-1] if value == 1 else words}"


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
