"""Scenario questions (several sentences, several provisions) on a real index: Chroma and SQLite or
PostgreSQL. The act below is our own made-up text."""

from __future__ import annotations

import pytest

from knowledge.access import Audience
from knowledge.factory import open_index
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import article_of, query_clauses, search
from knowledge.sections import DocumentKind, ParsedDocument, Section, SectionLevel

FILLER_TOPICS = (
    "harbour pilots tide tables",
    "orchard pruning season ladders",
    "museum lighting varnish paintings",
    "railway timetable winter snowploughs",
    "bakery ovens flour storage",
    "choir rehearsal sheet music",
)


def _act() -> ParsedDocument:
    def s(cid: str, level: SectionLevel, text: str, parent: str | None = None) -> Section:
        locator = cid.replace("art-", "Article ").replace("annex-i", "Annex I")
        return Section(
            citation_id=f"toy-act:{cid}",
            locator=locator,
            title=locator,
            parents=[],
            parent_id=f"toy-act:{parent}" if parent else None,
            level=level,
            text=text,
        )

    incident = [
        "A provider who learns that its machine injured someone reports the incident to the regulator.",
        "The incident report names the machine, the injury and the date the provider learned of it.",
        "A provider keeps a copy of every incident report it sends to the regulator.",
    ]
    sections = [
        s("art-1", SectionLevel.ARTICLE, " ".join(incident)),
        *(s(f"art-1-{n}", SectionLevel.PARAGRAPH, t, "art-1") for n, t in enumerate(incident, start=1)),
        s(
            "art-2",
            SectionLevel.ARTICLE,
            "Penalties: the regulator may impose a penalty of up to one million.",
        ),
        s("art-3", SectionLevel.ARTICLE, "The provider's dossier holds the elements listed in Annex I."),
        s("annex-i", SectionLevel.ANNEX, "Circuit diagrams; version history; supplier list."),
    ]
    for n, topic in enumerate(FILLER_TOPICS, start=4):
        sections.append(s(f"art-{n}", SectionLevel.ARTICLE, f"Rules on {topic} for provider staff."))
    return ParsedDocument(
        source_id="toy-act", title="Toy Act", kind=DocumentKind.REGULATION, sections=sections
    )


@pytest.fixture
def index(make_settings, database_url: str) -> KnowledgeIndex:  # type: ignore[no-untyped-def]
    idx = open_index(make_settings(database_url=database_url))
    idx.ingest(_act(), key="toy/act", digest="t1", origin="file")
    yield idx
    idx.db.close()


def test_query_clauses_split_a_scenario_into_its_sentences() -> None:
    scenario = (
        "Quick question. We score loan applicants for our bank with a model that a vendor built. "
        "What must we do before using it?"
    )
    assert query_clauses(scenario) == [
        "We score loan applicants for our bank with a model that a vendor built.",
        "What must we do before using it?",
    ]
    # "Quick question." is too short to be a query of its own; one sentence is ranked whole.
    assert query_clauses("What must a bank do before scoring loan applicants with a model?") == []
    assert query_clauses("Is it allowed? We score loan applicants with a model.") == []
    # Two short sentences are a question with a preamble, not a situation.
    assert query_clauses("We did an impact assessment. Is that enough for the regulator?") == []


def test_article_of_maps_parts_to_their_article_or_annex() -> None:
    assert article_of("eu-ai-act:art-26-1-a") == "eu-ai-act:art-26"
    assert article_of("eu-ai-act:art-26") == "eu-ai-act:art-26"
    assert article_of("eu-ai-act:annex-iii-5-b") == "eu-ai-act:annex-iii"
    assert article_of("eu-ai-act:art-3-49") == "eu-ai-act:art-3"
    assert article_of("eu-ai-act:recital-58") == "eu-ai-act:recital-58"
    assert article_of("policy-x:incident-reporting") == "policy-x:incident-reporting"


def test_a_scenario_gets_its_second_article_instead_of_a_third_paragraph(index: KnowledgeIndex) -> None:
    one_sentence = (
        "What must a provider put in the incident report to the regulator when its machine injured someone?"
    )
    scenario = (
        "Our machine injured someone and we must report the incident to the regulator. "
        "How high a penalty could the regulator impose on us?"
    )
    single = [p.citation_id for p in search(index, one_sentence, audience=Audience(), k=3)]
    # A one-sentence question keeps the sibling paragraphs of the article that answers it.
    assert [article_of(c) for c in single].count("toy-act:art-1") >= 2, single
    found = [p.citation_id for p in search(index, scenario, audience=Audience(), k=2)]
    # Two paragraphs of the incident article outrank the penalty article, but the scenario asks for both.
    assert {article_of(c) for c in found} == {"toy-act:art-1", "toy-act:art-2"}, found


def test_a_scenario_follows_a_reference_to_the_annex_it_needs(index: KnowledgeIndex) -> None:
    # The annex shares no word with the question: only Article 3's reference to it can bring it in.
    scenario = (
        "We are preparing the dossier that a provider of machines must hold before selling them. "
        "Which elements does the provider's dossier hold?"
    )
    found = search(index, scenario, audience=Audience(), k=3)
    assert "toy-act:annex-i" in [p.citation_id for p in found], [p.citation_id for p in found]
    # The same search twice ranks the same.
    assert [p.citation_id for p in search(index, scenario, audience=Audience(), k=3)] == [
        p.citation_id for p in found
    ]
