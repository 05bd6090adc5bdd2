"""Retrieval conditioned on the question's analysis: a named regime narrows or boosts its source, an
organisational question reads the organisation's passages first, and the support that may follow a lead."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from assistant.lead.models import (
    ORGANISATION_ABOUT_AS_CLOSE,
    ORGANISATION_CANDIDATES,
    ORGANISATION_FLOOR,
    ORGANISATION_LEADS_LAW,
    ORGANISATION_MARGIN,
    ORGANISATION_STATEMENT_LEADS,
    RULE_BEHIND,
    SUPPORT_SHARE_OF_LEAD,
)
from assistant.organisation import (
    DATE,
    OwnNames,
    acting_first,
    embed_cached,
    list_items,
    own_codes,
    own_names,
    own_row_names,
    rank_by_statement,
    split_asks,
    statement_closeness,
    stem_share,
    topic_words,
    without_title,
    word_stems,
    words_of,
)
from assistant.question import (
    Focus,
    QuestionAnalysis,
    QuestionType,
    asked_kind,
    mentioned_names,
    mentions,
    named_regimes,
    without_documents,
    without_names,
)
from knowledge import store
from knowledge.access import Audience
from knowledge.embedder import Embedder
from knowledge.index import KnowledgeIndex
from knowledge.lexical import tokenize
from knowledge.retrieval import (
    Passage,
    SearchFilters,
    article_of,
    asks_about_decisions,
    query_clauses,
    search,
)
from knowledge.statements import ORGANISATION_KINDS, statements, table_row_lines
from tools.triage.engine import triage
from tools.triage.schemas import SystemProfile


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


class Conditioned(BaseModel):
    """The passages in the order the question asks for, and the analysis they were ranked under (a question
    naming neither a regime nor us becomes a question about us when our passages are clearly closer)."""

    analysis: QuestionAnalysis
    passages: list[Passage]
    named: list[str] = Field(
        default_factory=list,
        description="Citation ids of what of ours the question names: a tool's table, a system's review.",
    )
    documents: list[str] = Field(
        default_factory=list,
        description="Source ids of the documents of ours the question names, by title or by kind.",
    )


def conditioned_search(
    index: KnowledgeIndex,
    question: str,
    analysis: QuestionAnalysis,
    *,
    audience: Audience,
    k: int,
    filters: SearchFilters | None = None,
) -> list[Passage]:
    """The `k` best passages in the order the analysis asks for (see `condition`)."""
    return condition(index, question, analysis, audience=audience, k=k, filters=filters).passages


def condition(
    index: KnowledgeIndex,
    question: str,
    analysis: QuestionAnalysis,
    *,
    audience: Audience,
    k: int,
    filters: SearchFilters | None = None,
) -> Conditioned:
    """The `k` best passages in the order the analysis asks for: a named regime's own passages first (the
    organisation's next when the question is also about us, other regimes dropped); for a question about
    the organisation its policies and reviews first when they are about as close as the law, then the law;
    for a legal question the law first, the organisation's rule behind it next. A question that names
    neither a regime nor us ("How often does the AI Review Board meet?") is about us when our best passage
    is clearly closer than the law's (ORGANISATION_LEADS_LAW): only our documents use our terms."""
    filters = filters or SearchFilters()
    names = organisation_names(index)
    # The organisation's own name matches every one of its introductions and says nothing of the topic.
    question = without_names(question, names.organisation) or question
    general = search(index, question, audience=audience, k=k, filters=filters)
    # A question naming one of our documents ("Who owns the Responsible AI Policy?") is answered by one of
    # its sections, found by what is asked (the title matches the document's introduction best).
    titled = [n for n in analysis.internal_names if n in names.sources]
    asked = without_title(question, titled[0], names.organisation) if len(titled) == 1 else question
    if len(titled) == 1 and asked == question and analysis.type is not QuestionType.YES_NO:
        # Named by its kind ("When is our AI ethics charter next reviewed?"), not by its title: what is
        # asked is the rest. A yes/no question may ask about the document itself ("Is the supplier
        # questionnaire needed when we buy AI?"), so it keeps it.
        asked = without_documents(question, titled, names.organisation, placeholder="it")
    if len(titled) > 1:
        # "the generative AI policy" names two of our policies by kind: neither title says which section
        # answers ("It sits under the Responsible AI Policy" sounds closest to the title's words).
        asked = without_documents(question, titled, names.organisation, placeholder="it")
        asked = asked if set(tokenize(asked)) - {"it"} else question
    if analysis.focus is Focus.REGIME:
        narrowed = _narrow(filters, sources=analysis.regimes)
        named = search(index, question, audience=audience, k=k, filters=narrowed) if narrowed else []
        ours = [p for p in general if is_organisations(p)] if analysis.organisational else []
        rest = [p for p in general if p.source_id in analysis.regimes]
        # The plain ranking's own passages of the named regime keep their order (the full ranking placed
        # them); the narrowed search only adds what the other regimes had crowded out.
        return Conditioned(analysis=analysis, passages=_merge(rest, named, ours)[:k] or general)
    narrowed = _narrow(filters, kinds=list(ORGANISATION_KINDS))
    ours = (
        search(index, question, audience=audience, k=ORGANISATION_CANDIDATES, filters=narrowed)
        if narrowed
        else []
    )
    within = _narrow(narrowed, sources=[names.sources[titled[0]]]) if narrowed and len(titled) == 1 else None
    in_named: list[Passage] = []
    if within is not None and asked != question:
        # The named document's sections for what is asked first, then the rest as found.
        in_named = search(index, asked, audience=audience, k=ORGANISATION_CANDIDATES, filters=within)
        ours = _merge(in_named, ours)[:ORGANISATION_CANDIDATES]
    law = [p for p in general if not is_organisations(p)]
    reviewed = _named_reviews(index, question, analysis, ours, audience=audience, filters=filters)
    rows = _named_rows(index, question, analysis, audience=audience, filters=filters)
    if reviewed or rows:
        # The question names a system we reviewed: its review answers it, the rule behind it follows. What
        # it asks of a tool our table lists ("May I put special-category data into NorthwindGPT?") is
        # answered by the table's row first (what data it may take), its review next.
        return Conditioned(
            analysis=analysis,
            passages=_merge(rows, reviewed, law[:1], ours, law)[:k],
            named=[p.citation_id for p in [*rows, *reviewed]],
        )
    best_law = max((p.similarity for p in law), default=0.0)
    best_ours = max((p.similarity for p in ours), default=0.0)
    if analysis.focus is Focus.LAW and (
        best_ours >= best_law + ORGANISATION_LEADS_LAW
        or (
            best_ours >= best_law - ORGANISATION_ABOUT_AS_CLOSE
            and index.embedder is not None
            and _statement_lead(question, ours, law, index.embedder) >= ORGANISATION_STATEMENT_LEADS
        )
        or _says_it_in_our_words(question, ours, law)
        or _names_our_heading(question, ours)
    ):
        analysis = analysis.model_copy(update={"focus": Focus.ORGANISATION})
    # The named document's best section for what is asked stands whatever its closeness: the question
    # chose the document. Best by the sentence that answers ("Owns this policy, ..." under "Chief Risk
    # Officer"), not by the whole section ("System owners" says "owner" throughout).
    if in_named and index.embedder is not None:
        in_named = rank_by_statement(
            asked, in_named, embed_cached(index.embedder, [asked])[0], index.embedder
        )
    close = [
        p
        for p in ours
        if (p.similarity >= ORGANISATION_FLOOR or p in in_named[:1])
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
        close = rank_by_statement(asked, close, embed_cached(index.embedder, [asked])[0], index.embedder)
    if analysis.focus is Focus.ORGANISATION and analysis.type is QuestionType.WHO:
        # "Who keeps the AI inventory?": the section whose statement keeps it, before the inventory's own.
        close = acting_first(asked, close)
    if analysis.focus is Focus.ORGANISATION and analysis.type is QuestionType.WHEN:
        # "From what date do the new supplier rules apply?": our sections that give a date come first, in
        # their order (the date's own sentence is picked among them), before those that give none.
        close = dated_first(close)
    kind = asked_kind(asked)
    if analysis.focus is Focus.ORGANISATION and kind:
        # "What severity is it when ...?": our section headed by the kind asked for that lists its kinds
        # ("Severity levels", a table of SEV1 to SEV4) holds the answer, in the row that matches.
        listing = [p for p in close if _lists_kind(p, kind)]
        close = listing + [p for p in close if p not in listing]
    # A list of our other documents or a template's blank to fill in says where the rule is, not what it
    # is: it follows the sections that state one.
    close = [p for p in close if not _points_elsewhere(p, names.names)] + [
        p for p in close if _points_elsewhere(p, names.names)
    ]
    if (
        analysis.focus is Focus.ORGANISATION
        and close
        # A question that names us or our documents is about our rules; "we" alone may be about the law.
        and (
            analysis.internal_names
            or max(p.similarity for p in close) >= best_law - ORGANISATION_MARGIN
            or _names_our_heading(question, close)
        )
    ):
        return Conditioned(
            analysis=analysis,
            passages=_merge(close[:2], law, ours)[:k],
            documents=[names.sources[t] for t in titled],
        )
    # A legal question keeps the plain ranking: the law first wherever it ranks, nothing displaced, bar the
    # provisions the triage rules cite for a scenario's use case.
    cited = _with_triage_provisions(
        index, question, analysis, general, audience=audience, k=k, filters=filters
    )
    return Conditioned(analysis=analysis, passages=cited)


# A scenario naming a use case of the triage catalogue ("We are a bank. We plan to use a vendor's model that
# scores loan applicants' creditworthiness ...") needs provisions its words may not rank (the deployer's
# Article 26, the impact assessment of Article 27): after the SCENARIO_KEEP best passages, the best-ranked
# passage of each article the triage rules cite for the use case, among the SCENARIO_POOL best, then the rest
# as ranked. Chosen on the tuned-on scenarios of evals/bench (article recall@5 0.797 without; keeping 1 of
# 5: 0.828, 2: 0.839, 3: 0.807).
SCENARIO_KEEP = 2
SCENARIO_POOL = 30


def _with_triage_provisions(
    index: KnowledgeIndex,
    question: str,
    analysis: QuestionAnalysis,
    general: list[Passage],
    *,
    audience: Audience,
    k: int,
    filters: SearchFilters,
) -> list[Passage]:
    """`general` with the provisions the triage rules cite for the use cases a scenario names (see
    SCENARIO_KEEP); `general` itself for any other question."""
    if not analysis.use_cases or not query_clauses(question):
        return general
    cited = triage_articles(question, analysis.use_cases)
    pool = search(index, question, audience=audience, k=SCENARIO_POOL, filters=filters)
    chosen = list(general[:SCENARIO_KEEP])
    have = {article_of(p.citation_id) for p in chosen}
    for p in pool:
        article = article_of(p.citation_id)
        if len(chosen) < k and article in cited and article not in have:
            chosen.append(p)
            have.add(article)
    return _merge(chosen, general, pool)[:k]


def triage_articles(description: str, use_cases: Sequence[str]) -> set[str]:
    """The articles and annexes (`eu-ai-act:art-26`, `eu-ai-act:annex-iii`) the triage rules cite, as grounds
    or obligations, for a system described by `description` with these catalogue use cases."""
    profile = SystemProfile(name="scenario", description=description, use_cases=list(use_cases))
    result = triage(profile)
    citations = [g.citation for g in result.eu_ai_act.grounds] + [o.citation for o in result.obligations]
    return {article_of(c) for c in citations}


# A template's field: an italic instruction on what to write ("*Tier from the Model Risk Tiering
# Standard, ...*").
_PLACEHOLDER = re.compile(r"^\s*([*_]).+\1\s*$")


def _statement_lead(
    question: str, ours: Sequence[Passage], law: Sequence[Passage], embedder: Embedder
) -> float:
    """How much closer in meaning the best sentence of our STATEMENT_PASSAGES best passages is to the
    question than the best sentence of the law's."""
    vector = embed_cached(embedder, [question])[0]
    mine = statement_closeness(question, ours[:STATEMENT_PASSAGES], vector, embedder, words=False)
    theirs = statement_closeness(question, law[:STATEMENT_PASSAGES], vector, embedder, words=False)
    return max(mine, default=-1.0) - max(theirs, default=-1.0)


STATEMENT_PASSAGES = 6
# The share of a question's words one of our statements must hold, read under its heading, for the question
# to be ours however the embedder hears the two ("How long does Legal have to confirm that a use is a
# prohibited practice?" / "Legal confirmation of the prohibited practice: ...; blocked: 5"): chosen before
# any run, as "three words of four", with no statement of the law's holding as many.
OWN_WORDING = 0.75
_FRAME = frozenset(
    "long many much often soon quick must shoul shall could would will need needs have".split()
)


def _says_it_in_our_words(question: str, ours: Sequence[Passage], law: Sequence[Passage]) -> bool:
    """Whether one of our STATEMENT_PASSAGES best passages has a statement holding OWN_WORDING of the
    question's words, more of them than any statement of the law's best passages holds."""
    # Stems ("confirm" meets "confirmation"), without the words that frame the question ("how long").
    wanted = word_stems(question) - _FRAME
    if len(wanted) < 3:
        return False

    def held(passages: Sequence[Passage]) -> float:
        return max(
            (
                stem_share(wanted, f"{p.title} {sentence}")
                for p in passages[:STATEMENT_PASSAGES]
                for sentence in statements(p.text) or [p.text]
            ),
            default=0.0,
        )

    mine = held(ours)
    return mine >= OWN_WORDING and mine > held(law)


def dated_first(passages: Sequence[Passage]) -> list[Passage]:
    """The passages that give a date, in their order, then those that give none."""
    return sorted(passages, key=lambda p: DATE.search(p.text) is None)


# How many topic words a heading of ours needs for a question using all of them to be about us: "Contract
# terms we insist on" is ours; "Human oversight" is also the law's.
HEADING_NAMED_WORDS = 3


def _names_our_heading(question: str, ours: Sequence[Passage]) -> bool:
    """Whether the question uses every topic word of the heading of one of our STATEMENT_PASSAGES best
    passages, a heading of HEADING_NAMED_WORDS topic words or more ("What contract terms do we insist on
    with AI suppliers?" and "Contract terms we insist on"): only our documents head a section so."""
    # Whole words: five-letter stems would hear "Generative and general-purpose AI" in a question about
    # general-purpose models.
    asked = set(tokenize(question))
    for p in ours[:STATEMENT_PASSAGES]:
        topic = topic_words(p.title)
        if len(topic) >= HEADING_NAMED_WORDS and topic <= asked:
            return True
    return False


def _lists_kind(p: Passage, kind: str) -> bool:
    """Whether our section is headed by `kind` ("Severity levels" for "severity") and lists its items."""
    headed = kind[:5] in {w[:5] for w in re.findall(r"[a-z]+", p.title.lower())}
    return headed and len(list_items(p.text)) >= 2


def _points_elsewhere(p: Passage, names: Sequence[str]) -> bool:
    """Whether our section only points elsewhere: its items are the titles of our other documents
    ("Related documents"), or its text is a template's italic instructions."""
    # A field's instruction may wrap over several lines: each paragraph is read whole.
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", p.text) if block.strip()]
    if paragraphs and all(_PLACEHOLDER.match(paragraph) for paragraph in paragraphs):
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
    about_decisions = asks_about_decisions(question)
    wanted = [
        n
        for n in analysis.internal_names
        if n in names.reviews
        # Named by its own words: a word shared with a document's title ("Falcon" of the Falcon
        # settlement and the Falcon scoring review) does not single the review out, unless the question
        # asks about a decision ("What band did KestrelChat get when the council reviewed it?").
        and (
            mentioned_names(question, [n])
            or any(
                mentions(question, w) and w in n and (w not in names.in_policies or about_decisions)
                for w in names.words
            )
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


def _named_rows(
    index: KnowledgeIndex,
    question: str,
    analysis: QuestionAnalysis,
    *,
    audience: Audience,
    filters: SearchFilters,
) -> list[Passage]:
    """Our sections with a table row headed by a name the question uses that only we use ("NorthwindGPT
    (enterprise chat assistant) | Drafting | Up to Confidential ..."), for any question but what we
    decided about it (its review answers that)."""
    if analysis.type is QuestionType.PAST_DECISION:
        return []
    words = [w for w in organisation_names(index).listed if mentions(question, w)]
    narrowed = _narrow(filters, kinds=list(ORGANISATION_KINDS))
    if not words or narrowed is None:
        return []
    found = search(index, " ".join(words), audience=audience, k=ORGANISATION_CANDIDATES, filters=narrowed)
    return rows_answering(question, words, [p for p in found if p.kind != "review"])


# "May", "can": how a question asks, not what.
_MODAL = frozenset({"may", "can", "might"})


def rows_answering(question: str, names: Sequence[str], passages: Sequence[Passage]) -> list[Passage]:
    """The passages with a table row headed by one of `names` that says what the question asks of it: its
    other cells, or the header over them, use a word of the question beyond the name ("special-category
    data" in NorthwindGPT's row). Words most of the passages use ("system", "data") say little of which
    row: a row holding none of the others must hold half of what is asked ("Which data may Brand Studio
    receive?": "Data allowed"). A name heading rows of several tables ("Amber" in the bands and in the
    review cycles) is not answered by every one of them."""
    asked = {w for w in word_stems(question) - word_stems(" ".join(names)) - _FRAME - _MODAL if len(w) > 2}
    used = [word_stems(p.text) for p in passages]
    specific = {w for w in asked if sum(w in stems for stems in used) * 2 <= len(passages)}

    def says(row: set[str]) -> bool:
        return not asked or bool(row & specific) or 2 * len(row & asked) >= len(asked)

    return [p for p in passages if any(_row_says(p.text, name, says) for name in names)]


def _row_says(text: str, name: str, says: Callable[[set[str]], bool]) -> bool:
    """Whether a row of a markdown table in `text` opens with `name` ("| **NorthwindGPT** (chat) | ...")
    and the stems of its other cells, each read with its header ("data allowed: ..."), are enough for
    `says`."""
    for row in table_row_lines(text):
        first, _, cells = row.partition(": ")
        if re.match(rf"[*_`]*{re.escape(name)}\b", first) and says(word_stems(cells)):
            return True
    return False


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
            codes = own_codes(
                (f"{c.title} {c.text}" for c in ours),
                (f"{c.title} {c.text}" for c in chunks if c.kind not in ORGANISATION_KINDS),
            )
        names = own_names(
            documents=[c.title for c in ours if c.level == "document" and c.kind != "review"],
            reviews=[c.title for c in ours if c.kind == "review"],
            law_words=law,
        )
        headings = " ".join(c.title for c in ours if c.kind != "review")
        names.in_policies = [w for w in names.words if re.search(rf"\b{re.escape(w)}\b", headings)]
        names.sources = {c.title: c.source_id for c in ours if c.level == "document" and c.kind != "review"}
        names.codes = codes
        # The tools our tables list ("NorthwindGPT (enterprise chat assistant)") are names only we use.
        names.listed = own_row_names((c.text for c in ours if c.kind != "review"), law)
        names.words = sorted({*names.words, *names.listed})
        _names_cache.clear()
        _names_cache[key] = names
    return _names_cache[key]


def internal_names(index: KnowledgeIndex) -> list[str]:
    """Names of the organisation's own systems and documents (see organisation_names)."""
    return organisation_names(index).names
