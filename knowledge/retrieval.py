"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank, a boost for
provisions the question names, and parent/child de-duplication.

A question of several sentences (a scenario) is also ranked sentence by sentence, its passages are
spread across articles, and the provisions its best passages refer to join the candidates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from core.models import Chunk
from knowledge import store
from knowledge.access import Audience
from knowledge.glossary import load_glossary
from knowledge.index import KnowledgeIndex
from knowledge.packs.provenance import asks_about_history, read_provenance
from knowledge.references import HINTED_REGIMES, find_references, regime_hint

CONTAINER_LEVELS = frozenset({"article", "annex"})
SUPPORT_SHARE = 0.5
EXPANSION_WEIGHT = 0.5
DENSE_EXPANSION = False
RRF_K = 60
CANDIDATES = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0
NAMED_PROVISION_BONUS = 0.05
NAMED_CHILD_BONUS = 0.02
# Recitals explain; articles and annexes oblige. Unless a recital is asked for by number, it should
# not push the operative provision out of the top results.
RECITAL_FACTOR = 0.5
# Past reviews are precedent, not rules: unless the question asks about past decisions, a policy or the law
# that answers it should come first.
REVIEW_FACTOR = 0.6
_ABOUT_DECISIONS = re.compile(
    r"\b(?:review(?:s|ed)?|decid\w*|decision\w*|approv\w*|reject\w*|precedent\w*|past|previous\w*|earlier)\b",
    re.IGNORECASE,
)
# A question that names its regime ("under GDPR") favours that regime's passages, and passages of the
# other regimes it can name (the EU AI Act for a question about the EEOC) fall back.
REGIME_HINT_FACTOR = 1.3
OTHER_REGIME_FACTOR = 0.7
# A pack's amendment section is long and about many provisions, so its windows add up; the provisions it
# changed carry its effect in their own text. It leads only when the question is about the change itself.
AMENDMENT_FACTOR = 0.5
_ABOUT_CHANGES = re.compile(
    r"\b(?:amend\w*|omnibus|postpon\w*|delay\w*|mov(?:e|ed)|chang\w*|repeal\w*|re-?enact\w*|replac\w*|"
    r"new law|sb ?\d{2}[a-z]?-?\d{3})\b",
    re.IGNORECASE,
)
# A scenario ("We are a bank. We plan to score loan applicants. What must we do first?") needs several
# provisions, but ranked as one query the longest sentence outvotes the rest. Each sentence of a question
# of two sentences or more is also ranked on its own, and its rankings join the fusion at this weight.
CLAUSE_WEIGHT = 0.5
CLAUSE_MIN_WORDS = 4
# Shorter than this, two sentences are a question with a preamble ("We did a DPIA. Is that enough?"),
# not a situation: it is ranked whole, as one need.
SCENARIO_MIN_WORDS = 20
# A question of several sentences describes a situation that needs provisions from several articles:
# - passages beyond the first from the same article or annex count for this share of their score, so a
#   scenario's second provision is not pushed out by a third paragraph of the first (a one-sentence
#   question often wants one precise paragraph beside its siblings, and is left alone);
# - recitals, which explain rather than oblige, weigh less than for a one-sentence question;
# - a provision that the best passages refer to ("the elements set out in Annex IV") joins the
#   candidates with a share of the referring passage's score.
SAME_ARTICLE_FACTOR = 0.4
# How many further passages of an article escape that factor (1 spared a sibling point that answered a
# one-need question, but cost the scenarios more than it saved).
SAME_ARTICLE_FREE = 0
SCENARIO_RECITAL_FACTOR = 0.3
REFERENCE_SOURCES = 3
REFERENCE_SHARE = 0.5
_SENTENCE_END = re.compile(r"(?<=[.?!;])\s+(?=[A-Z(\"'])")
_ARTICLE_ID = re.compile(r"^([^:]+:(?:art-\d+|annex-[ivxlc]+))(?:-|$)")


class SearchFilters(BaseModel):
    """Optional narrowing of a search."""

    sources: list[str] | None = Field(default=None, description="Only these source ids.")
    kinds: list[str] | None = Field(
        default=None, description="Only these kinds (regulation, policy, review)."
    )


class Passage(BaseModel):
    """One retrieved, citable passage."""

    citation_id: str
    source_id: str
    title: str
    locator: str
    parents: list[str]
    kind: str
    level: str
    visibility: str
    text: str
    origin: str = Field(default="file", description="'pack' for the built-in summaries, else 'file'.")
    score: float = Field(description="Fused relevance; higher is better.")
    similarity: float = Field(description="Cosine similarity of the question to this passage (0 if unseen).")

    @classmethod
    def of_chunk(cls, chunk: Chunk, *, origin: str, score: float = 0.0, similarity: float = 0.0) -> Passage:
        """An indexed chunk as a passage: its citable fields, where it came from and how well it matched."""
        return cls(
            origin=origin,
            citation_id=chunk.citation_id,
            source_id=chunk.source_id,
            title=chunk.title,
            locator=chunk.locator,
            parents=list(chunk.parents),
            kind=chunk.kind,
            level=chunk.level,
            visibility=chunk.visibility,
            text=chunk.text,
            score=score,
            similarity=similarity,
        )


def _vector_where(index: KnowledgeIndex, audience: Audience, filters: SearchFilters) -> dict[str, Any] | None:
    gen_keys = index.active_gen_keys()
    if not gen_keys:
        return None
    clauses: list[dict[str, Any]] = [{"gen_key": {"$in": gen_keys}}, audience.vector_filter()]
    if filters.sources:
        clauses.append({"source_id": {"$in": filters.sources}})
    if filters.kinds:
        clauses.append({"kind": {"$in": filters.kinds}})
    return {"$and": clauses}


def asks_about_decisions(question: str) -> bool:
    """Whether a question asks about past decisions ("reviewed", "decided", "approved", "earlier")."""
    return _ABOUT_DECISIONS.search(question) is not None


def query_clauses(query: str) -> list[str]:
    """The sentences of a question of two sentences or more, each long enough to be a query of its own
    (CLAUSE_MIN_WORDS); empty for a question under SCENARIO_MIN_WORDS words or with fewer than two such
    sentences (the question is then ranked whole)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(query.strip()) if s.strip()]
    if len(sentences) < 2 or len(query.split()) < SCENARIO_MIN_WORDS:
        return []
    clauses = [s for s in sentences if len(s.split()) >= CLAUSE_MIN_WORDS]
    return clauses if len(clauses) >= 2 else []


def article_of(citation_id: str) -> str:
    """The article or annex holding a provision (`x:art-26` for `x:art-26-1-a`); other ids unchanged."""
    match = _ARTICLE_ID.match(citation_id)
    return match.group(1) if match else citation_id


def _is_ancestor(a: str, b: str) -> bool:
    """Whether citation id `a` is an ancestor of `b` (`x:art-5` of `x:art-5-1-f`)."""
    return b.startswith(a + "-")


def search(
    index: KnowledgeIndex,
    query: str,
    *,
    audience: Audience,
    k: int = 5,
    filters: SearchFilters | None = None,
) -> list[Passage]:
    """The `k` best passages for `query` that `audience` may read, best first, one per citation."""
    filters = filters or SearchFilters()
    where = _vector_where(index, audience, filters)
    if where is None:
        return []
    clauses = query_clauses(query) if CLAUSE_WEIGHT else []
    glossary = load_glossary()
    texts = [query, *clauses]
    expansions = [glossary.expansion_text(t) if EXPANSION_WEIGHT else "" for t in texts]
    vectors = index.embedder.embed(
        [f"{t} {x}" if DENSE_EXPANSION and x else t for t, x in zip(texts, expansions, strict=True)]
    )
    query_vector = vectors[0]
    lexical_index = index.lexical()
    rankings: list[tuple[float, list[tuple[str, float]]]] = []
    dense: list[tuple[str, float]] = []
    for number, (text, expansion, vector) in enumerate(zip(texts, expansions, vectors, strict=True)):
        share = 1.0 if number == 0 else CLAUSE_WEIGHT
        ranked_dense = index.vectors.query(vector, n=CANDIDATES, where=where)
        if number == 0:
            dense = ranked_dense
        lexical = lexical_index.search(
            text,
            n=CANDIDATES,
            audience=audience,
            sources=filters.sources,
            kinds=filters.kinds,
            expansion=expansion,
            expansion_weight=EXPANSION_WEIGHT,
        )
        rankings += [(share * DENSE_WEIGHT, ranked_dense), (share * LEXICAL_WEIGHT, lexical)]

    fused: dict[str, float] = {}
    for weight, ranking in rankings:
        # Equal scores (the same text indexed twice, BM25 ties) are ranked by key, not by the order the
        # index happened to return them in: the same knowledge must rank the same on every build.
        for rank, (key, _) in enumerate(sorted(ranking, key=lambda item: (-item[1], item[0]))):
            fused[key] = fused.get(key, 0.0) + weight / (RRF_K + rank + 1)
    similarity = dict(dense)

    refs = find_references(query)
    with index.db.session() as session:
        chunks = store.chunks_by_key(session=session, keys=list(fused))
        if refs:
            named = [
                c
                for c in store.chunks_by_anchor(session=session, anchors=[r.anchor for r in refs])
                if audience.can_read(c.visibility, list(c.groups))
                and (not filters.sources or c.source_id in filters.sources)
                and (not filters.kinds or c.kind in filters.kinds)
            ]
            for chunk in named:
                chunks.setdefault(chunk.chunk_key, chunk)
                fused.setdefault(chunk.chunk_key, 0.0)
    anchors = [r.anchor for r in refs]
    hinted = regime_hint(query)
    about_decisions = asks_about_decisions(query)
    about_history = asks_about_history(query)
    about_changes = bool(_ABOUT_CHANGES.search(query))
    scenario = len(clauses) >= 2
    if scenario and REFERENCE_SHARE:
        _follow_references(index, fused, chunks, audience=audience, filters=filters)
    recital_factor = SCENARIO_RECITAL_FACTOR if scenario else RECITAL_FACTOR
    for key, chunk in list(chunks.items()):
        # A withdrawn or superseded rule is never offered as a current one: it answers only questions
        # about the old rule, or that name it.
        if not about_history and chunk.anchor not in anchors and read_provenance(chunk.text).historical:
            del chunks[key]
            fused.pop(key, None)
            continue
        if chunk.kind == "review" and not about_decisions:
            fused[key] *= REVIEW_FACTOR
        if chunk.level == "recital" and not any(a.startswith("recital") for a in anchors):
            fused[key] *= recital_factor
        if chunk.anchor.startswith("amendment-") and not about_changes:
            fused[key] *= AMENDMENT_FACTOR
        if hinted and chunk.source_id == hinted:
            fused[key] *= REGIME_HINT_FACTOR
        elif hinted and chunk.source_id in HINTED_REGIMES:
            fused[key] *= OTHER_REGIME_FACTOR
        if hinted and chunk.source_id != hinted:
            continue
        if chunk.anchor in anchors:
            fused[key] += NAMED_PROVISION_BONUS
        elif any(chunk.anchor.startswith(a + "-") for a in anchors):
            fused[key] += NAMED_CHILD_BONUS

    ranked = _by_citation(fused, chunks, similarity)
    if scenario:
        ranked = _spread(ranked)
    chosen = _dedupe(ranked, k)
    chosen = _most_specific(
        index, chosen, query_vector, named=set(anchors), audience=audience, history=about_history
    )
    if scenario:
        chosen = _fill_similarity(index, chosen, query_vector)
    with index.db.session() as session:
        origins = store.document_origins(session=session, document_ids={c.document_id for c, _, _ in chosen})
    return [
        Passage.of_chunk(
            c, origin=origins.get(c.document_id, "file"), score=round(score, 6), similarity=round(sim, 6)
        )
        for c, score, sim in chosen
    ]


def _follow_references(
    index: KnowledgeIndex,
    fused: dict[str, float],
    chunks: dict[str, Chunk],
    *,
    audience: Audience,
    filters: SearchFilters,
) -> None:
    """Add to `fused` (and `chunks`) the provisions the REFERENCE_SOURCES best passages refer to in
    their own text, in their own source, each with REFERENCE_SHARE of the referring passage's score."""
    best = sorted((key for key in fused if key in chunks), key=lambda key: (-fused[key], key))
    wanted: dict[tuple[str, str], float] = {}
    for key in best[:REFERENCE_SOURCES]:
        chunk = chunks[key]
        for ref in find_references(chunk.text):
            own = chunk.anchor == ref.anchor or chunk.anchor.startswith(ref.anchor + "-")
            if not own:
                target = (chunk.source_id, ref.anchor)
                wanted[target] = max(wanted.get(target, 0.0), REFERENCE_SHARE * fused[key])
    if not wanted:
        return
    with index.db.session() as session:
        found = store.chunks_by_anchor(session=session, anchors=sorted({a for _, a in wanted}))
    for chunk in found:
        share = wanted.get((chunk.source_id, chunk.anchor))
        if (
            share is None
            or not audience.can_read(chunk.visibility, list(chunk.groups))
            or (filters.sources and chunk.source_id not in filters.sources)
            or (filters.kinds and chunk.kind not in filters.kinds)
        ):
            continue
        chunks.setdefault(chunk.chunk_key, chunk)
        fused[chunk.chunk_key] = fused.get(chunk.chunk_key, 0.0) + share


def _fill_similarity(
    index: KnowledgeIndex, chosen: list[tuple[Chunk, float, float]], query_vector: np.ndarray
) -> list[tuple[Chunk, float, float]]:
    """The whole question's similarity for passages found only through one sentence or a reference
    (they were not among its nearest neighbours): callers read it to decide whether anything matched."""
    missing = [c.chunk_key for c, _, sim in chosen if sim == 0.0]
    vectors = index.vectors.vectors(missing)
    return [
        (c, score, float(np.dot(vectors[c.chunk_key], query_vector)) if c.chunk_key in vectors else sim)
        for c, score, sim in chosen
    ]


def _most_specific(
    index: KnowledgeIndex,
    chosen: list[tuple[Chunk, float, float]],
    query_vector: np.ndarray,
    *,
    named: set[str],
    audience: Audience,
    history: bool = False,
) -> list[tuple[Chunk, float, float]]:
    """Replace a whole article or annex that ranked on its title by its part closest to the question,
    so the citation points at the paragraph that answers; a provision the question named stays."""
    containers = [
        c.citation_id for c, _, _ in chosen if c.level in CONTAINER_LEVELS and c.anchor not in named
    ]
    if not containers:
        return chosen
    with index.db.session() as session:
        children = [
            c
            for c in store.child_chunks(session=session, parent_ids=containers)
            if audience.can_read(c.visibility, list(c.groups))
            and (history or not read_provenance(c.text).historical)
        ]
    vectors = index.vectors.vectors([c.chunk_key for c in children])
    taken = {c.citation_id for c, _, _ in chosen}
    best: dict[str, tuple[Chunk, float]] = {}
    for child in children:
        vector = vectors.get(child.chunk_key)
        if vector is None or child.citation_id in taken:
            continue
        sim = float(np.dot(vector, query_vector))
        parent = child.parent_id or ""
        if parent not in best or sim > best[parent][1]:
            best[parent] = (child, sim)
    return [
        (best[c.citation_id][0], score, best[c.citation_id][1]) if c.citation_id in best else (c, score, sim)
        for c, score, sim in chosen
    ]


def official_wording(
    index: KnowledgeIndex, passages: Sequence[Passage], *, audience: Audience
) -> dict[str, str]:
    """For passages from the built-in packs, the ingested official text of the same provision, where
    present and readable: answers show the law's wording next to our summary."""
    wanted = [p.citation_id for p in passages if p.origin == "pack"]
    if not wanted:
        return {}
    with index.db.session() as session:
        found = store.official_chunks(session=session, citation_ids=wanted)
    return {c.citation_id: c.text for c in found if audience.can_read(c.visibility, list(c.groups))}


def _by_citation(
    fused: dict[str, float], chunks: dict[str, Chunk], similarity: dict[str, float]
) -> list[tuple[Chunk, float, float]]:
    """One entry per citation id, best first. A provision found through several chunks (our summary
    and the official wording, or several windows of a long text) gains from each beyond the best."""
    groups: dict[str, list[str]] = {}
    for key in fused:
        if key in chunks:
            groups.setdefault(chunks[key].citation_id, []).append(key)
    entries = []
    for keys in groups.values():
        keys.sort(key=lambda key: (-fused[key], key))
        best = keys[0]
        score = fused[best] + SUPPORT_SHARE * sum(fused[key] for key in keys[1:])
        entries.append((chunks[best], score, max(similarity.get(key, 0.0) for key in keys)))
    # Ties go to the passage closer in meaning, then to the citation id: never to the build's order.
    entries.sort(key=lambda entry: (-entry[1], -entry[2], entry[0].citation_id))
    return entries


def _spread(ranked: list[tuple[Chunk, float, float]]) -> list[tuple[Chunk, float, float]]:
    """Re-rank so that each further passage of an article already ranked above counts for
    SAME_ARTICLE_FACTOR of its score (a part and its container are one passage, not two)."""
    if SAME_ARTICLE_FACTOR >= 1.0:
        return ranked
    seen: dict[str, list[str]] = {}
    adjusted = []
    for chunk, score, sim in ranked:
        cid = chunk.citation_id
        before = [
            other
            for other in seen.get(article_of(cid), [])
            if not (_is_ancestor(other, cid) or _is_ancestor(cid, other))
        ]
        seen.setdefault(article_of(cid), []).append(cid)
        adjusted.append((chunk, score * SAME_ARTICLE_FACTOR ** max(0, len(before) - SAME_ARTICLE_FREE), sim))
    adjusted.sort(key=lambda entry: (-entry[1], -entry[2], entry[0].citation_id))
    return adjusted


def _dedupe(ranked: Sequence[tuple[Chunk, float, float]], k: int) -> list[tuple[Chunk, float, float]]:
    """One chunk per citation id, and never a provision beside its own part: when a container (an
    article, a paragraph) and one of its parts both rank, the part is shown in the container's place
    (it is the more precise citation); a container ranked below its part is dropped."""
    chosen: list[tuple[Chunk, float, float]] = []
    replaced: set[str] = set()
    for chunk, score, sim in ranked:
        cid = chunk.citation_id
        clash = next(
            (
                i
                for i, (c, _, _) in enumerate(chosen)
                if c.citation_id == cid
                or _is_ancestor(cid, c.citation_id)
                or _is_ancestor(c.citation_id, cid)
            ),
            None,
        )
        if clash is None:
            if len(chosen) < k:
                chosen.append((chunk, score, sim))
            continue
        holder = chosen[clash][0]
        if _is_ancestor(holder.citation_id, cid) and holder.citation_id not in replaced:
            replaced.add(holder.citation_id)
            chosen[clash] = (chunk, chosen[clash][1], max(sim, chosen[clash][2]))
    return chosen
