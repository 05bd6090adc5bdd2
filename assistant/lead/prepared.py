"""The whole offline plan for one question: the analysis, the conditioned passages and the lead plan,
ready for the answer composer."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.lead.conditioned import _narrow, _within, condition, is_organisations, organisation_names
from assistant.lead.facts import pack_record
from assistant.lead.matching import _heading_text
from assistant.lead.models import AnswerPlan, FactBasis
from assistant.lead.planner import plan_answer
from assistant.lead.siblings import SiblingAnswer, sibling_plan
from assistant.organisation import asks_why, embed_cached, read_review, word_stems
from assistant.question import (
    QuestionAnalysis,
    QuestionType,
    analyse_question,
)
from knowledge import store
from knowledge.access import Audience
from knowledge.embedder import Embedder
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import Passage, SearchFilters, search


class Prepared(BaseModel):
    """The analysis, the passages in the order it asks for, and the answer plan."""

    analysis: QuestionAnalysis
    passages: list[Passage]
    plan: AnswerPlan
    named: list[str] = Field(
        default_factory=list,
        description="Citation ids of what of ours the question names: a tool's table, a system's review.",
    )
    documents: list[str] = Field(
        default_factory=list,
        description="Source ids of the documents of ours the question names, by title or by kind.",
    )


def prepare_answer(
    index: KnowledgeIndex, question: str, *, audience: Audience, k: int, filters: SearchFilters | None = None
) -> Prepared:
    """Analyse `question`, retrieve conditioned on the analysis and plan the lead: the steps every answer
    path (`Assistant.ask`, the agent's answer tool, the model path) shares."""
    names = organisation_names(index)
    analysis = analyse_question(
        question,
        internal_names=names.names,
        own_words=names.words,
        organisation=names.organisation,
        documents=list(names.sources),
        own_codes=names.codes,
    )
    conditioned = condition(index, question, analysis, audience=audience, k=k, filters=filters)
    analysis, passages = conditioned.analysis, conditioned.passages
    plan = plan_answer(analysis, passages, embedder=index.embedder)
    # A plan resting on a record's own words or status cites that record, not a part of it retrieval
    # ranked ("publications-ir-8596" reads as a part of "publications", but a draft's passage does not
    # say that the framework is current).
    exact = plan.basis in (FactBasis.RECORD_WORDING, FactBasis.OBLIGATIONS, FactBasis.STATUS)

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
    if analysis.type is QuestionType.YES_NO and plan.verdict is None and not plan.fact and index.embedder:
        sibling = _sibling_answer(index, analysis.question, passages, audience=audience, filters=filters)
        if sibling is not None:
            ids = [p.citation_id for p in passages]
            if sibling.section.citation_id not in ids:
                passages, ids = [sibling.section, *passages][:k], [sibling.section.citation_id, *ids]
            at = ids.index(sibling.section.citation_id)
            plan = AnswerPlan(
                verdict=sibling.verdict, fact=sibling.fact, basis=FactBasis.WORDING, lead_index=at
            )
    return Prepared(
        analysis=analysis,
        passages=passages,
        plan=plan,
        named=conditioned.named,
        documents=conditioned.documents,
    )


# How many of our passages, in the conditioned order, are tried for a section the question names among its
# siblings.
SIBLING_TRIES = 4


def _sibling_answer(
    index: KnowledgeIndex,
    question: str,
    passages: list[Passage],
    *,
    audience: Audience,
    filters: SearchFilters | None,
) -> SiblingAnswer | None:
    """The answer of a section the question names among its siblings (see assistant.lead.siblings), tried
    under the parents of our SIBLING_TRIES first passages; the siblings are those this reader may read."""
    assert index.embedder is not None
    ours = [p for p in passages if is_organisations(p)][:SIBLING_TRIES]
    if not ours:
        return None
    filters = filters or SearchFilters()
    vector = embed_cached(index.embedder, [question])[0]
    with index.db.session() as session:
        chunks = store.first_window_chunks(session=session, citation_ids=[p.citation_id for p in ours])
        for parent in dict.fromkeys(c.parent_id for c in chunks if c.parent_id):
            siblings = [
                Passage.of_chunk(c, origin="file")
                for c in store.child_chunks(session=session, parent_ids=[parent])
                if audience.can_read(c.visibility, list(c.groups))
                and (not filters.sources or c.source_id in filters.sources)
                and (not filters.kinds or c.kind in filters.kinds)
            ]
            found = sibling_plan(question, siblings, embedder=index.embedder, vector=vector)
            if found is not None:
                return found
    return None


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


def leads_with_what_it_names(prepared: Prepared) -> bool:
    """Whether the answer leads with what of ours the question names: the table listing a tool it names
    ("May I put special-category data into NorthwindGPT?"), or the review of a system it names ("After how
    many failed attempts does Nora hand over to a person?"): in scope, however the rest of it sounds."""
    passages, lead = prepared.passages, prepared.plan.lead_index
    if not passages or passages[lead].citation_id not in prepared.named:
        return False
    # It must also say something the question asks beyond the name ("When is the NorthwindGPT launch
    # party?" is not about what the table or the review says), or give the reasons a "why" asks for
    # ("Why did the Auralis scribe get put on hold?": its record's reasons, in other words).
    if asks_why(prepared.analysis.question) and read_review(passages[lead].text).rationale:
        return True
    names = " ".join(prepared.analysis.internal_names) + " " + passages[lead].title
    asked = (
        word_stems(prepared.analysis.question) - word_stems(names) - _name_stems(prepared.analysis.question)
    )
    return bool(asked & word_stems(passages[lead].text))


def dates_from_named_document(prepared: Prepared) -> bool:
    """Whether a "when" or "how long" question naming one of our documents ("When did the new version of
    the banding standard kick in?") is answered by that document's own sentence stating a date or a
    period: the question chose the document, and the document says it, however far its sections sound."""
    plan, passages = prepared.plan, prepared.passages
    if prepared.analysis.type not in (QuestionType.WHEN, QuestionType.HOW_LONG) or not passages:
        return False
    if plan.fact is None or plan.basis is not FactBasis.WORDING:
        return False
    return passages[plan.lead_index].source_id in prepared.documents


def _name_stems(question: str) -> set[str]:
    """The stems of the capitalised words a question uses after its first ("NorthwindGPT", "Nora"): names
    say which thing, not what is asked of it."""
    return word_stems(" ".join(m.group(0) for m in re.finditer(r"\b[A-Z]\w+", question) if m.start() > 0))


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


def rests_on_our_sentence(prepared: Prepared, embedder: Embedder | None, threshold: float) -> bool:
    """Whether the plan's verdict rests on a sentence of the organisation's own, and that sentence, read
    under its heading, is as close in meaning to the question as a passage must be to answer ("Can an
    exception be granted from a legal obligation?" / "An exception ... never covers ... a legal
    obligation"): the question is in scope though our section as a whole sounds further away."""
    plan, passages = prepared.plan, prepared.passages
    if plan.verdict is None or plan.fact is None or plan.basis is not FactBasis.WORDING or embedder is None:
        return False
    if not passages or not is_organisations(passages[plan.lead_index]):
        return False
    lead = passages[plan.lead_index]
    question, sentence = embed_cached(embedder, [prepared.analysis.question, f"{lead.title}: {plan.fact}"])
    return float(question @ sentence) >= threshold


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
