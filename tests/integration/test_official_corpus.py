"""The real thing: the official EU AI Act and GDPR (EUR-Lex HTML) ingested with the packaged MiniLM into
a real local Chroma and SQLite, then retrieval and answers measured. Skips without ../shared/corpus."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import Assistant
from core.config import Settings
from evals.datasets import retrieval_questions
from evals.retrieval import score_retrieval
from knowledge.access import Audience
from knowledge.ingest import IngestRequest, ingest_paths
from knowledge.retrieval import search
from tests.conftest import CORPUS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("minilm-official")]

EU_HTML = CORPUS_DIR / "eu-ai-act" / "csa" / "eu-ai-act.html"
GDPR_HTML = CORPUS_DIR / "gdpr" / "csa" / "eu-gdpr-act.html"
# The target the foundation issue sets: the right citation in the top 5 for 90% of answerable questions.
RECALL_AT_5_TARGET = 0.90


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Assistant, float]]:
    """The demo configuration plus the official texts; also yields the seconds the texts took (printed
    for information: performance targets live in evals/bench, not in tests)."""
    if not EU_HTML.is_file():
        pytest.skip("../shared/corpus is not present")
    # The default configuration: the built-in packs load on first use; then the official texts go in.
    assistant = Assistant.open(Settings(home=tmp_path_factory.mktemp("official")))
    start = time.perf_counter()
    report = ingest_paths(assistant.index, IngestRequest(paths=[EU_HTML, GDPR_HTML]))
    elapsed = time.perf_counter() - start
    assert not report.failures, report.failures
    yield assistant, elapsed
    assistant.close()


def test_counts_and_ids_in_the_index(official: tuple[Assistant, float]) -> None:
    assistant, _ = official
    files = {r.source_id for r in assistant.index.status() if r.origin == "file" and r.kind == "regulation"}
    assert files == {"eu-ai-act", "gdpr"}
    with assistant.index.db.session() as session:
        from sqlalchemy import select

        from core.models import Chunk, Document

        rows = session.execute(
            select(Chunk.source_id, Chunk.anchor).join(Document).where(Document.origin == "file").distinct()
        )
        anchors = {(source, anchor) for source, anchor in rows}

    def count(source: str, prefix: str) -> int:
        return sum(1 for s, a in anchors if s == source and a.startswith(prefix) and a.count("-") == 1)

    assert count("eu-ai-act", "art-") == 113
    assert count("eu-ai-act", "annex-") == 13
    assert count("eu-ai-act", "recital-") == 180
    assert count("gdpr", "art-") == 99
    for anchor in ("art-5-1-f", "art-50-4", "annex-iii-4-a", "annex-iv-1-e", "recital-53", "art-6-3"):
        assert ("eu-ai-act", anchor) in anchors
    assert ("gdpr", "art-22-1") in anchors


def test_reingesting_unchanged_files_is_a_no_op(official: tuple[Assistant, float]) -> None:
    assistant, _ = official
    before = assistant.index.vectors.count()
    parsed: list[Path] = []
    import knowledge.ingest as ingest_module

    real_parse = ingest_module.parse_file

    def counting_parse(path: Path, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(path)
        return real_parse(path, **kwargs)

    ingest_module.parse_file = counting_parse  # type: ignore[assignment]
    try:
        report = ingest_paths(assistant.index, IngestRequest(paths=[EU_HTML, GDPR_HTML]))
    finally:
        ingest_module.parse_file = real_parse  # type: ignore[assignment]
    assert [o.status for o in report.outcomes] == ["unchanged", "unchanged"]
    assert not report.failures and parsed == []  # unchanged files are not even parsed
    assert assistant.index.vectors.count() == before


def test_right_citation_in_top_5(official: tuple[Assistant, float]) -> None:
    assistant, _ = official
    score = score_retrieval(
        retrieval_questions(),
        lambda q: [p.citation_id for p in search(assistant.index, q, audience=Audience(), k=5)],
        k=5,
    )
    print(f"recall@5 paragraph level {score.recall:.3f}, exact {score.exact_recall:.3f}, n={score.questions}")
    assert score.recall >= RECALL_AT_5_TARGET, [m.id for m in score.misses]


def test_named_provisions_come_first(official: tuple[Assistant, float]) -> None:
    assistant, _ = official
    for question, expected in [
        ("What does Article 50(4) require?", "eu-ai-act:art-50-4"),
        ("Explain Annex III point 4(a)", "eu-ai-act:annex-iii-4-a"),
        ("What is in recital 53 of the AI Act?", "eu-ai-act:recital-53"),
        ("GDPR recital 71", "gdpr:recital-71"),
        ("What does GDPR Article 22(1) say?", "gdpr:art-22-1"),
    ]:
        top = search(assistant.index, question, audience=Audience(), k=5)[0]
        assert top.citation_id == expected, (question, top.citation_id)


def test_answers_cite_and_abstain(official: tuple[Assistant, float]) -> None:
    assistant, _ = official
    answer = assistant.ask("Which AI practices are prohibited?")
    assert answer.grounded
    assert any(c.id.startswith("eu-ai-act:art-5") for c in answer.citations[:3])
    assert "[1]" in answer.answer and answer.citations[0].id in answer.answer
    unknown = assistant.ask("What is the best pizza topping in Naples?")
    assert not unknown.grounded and not unknown.citations
    assert "Responsible AI team" in unknown.answer


def test_ask_json_contract_on_official_text(official: tuple[Assistant, float]) -> None:
    assistant, _ = official
    payload = assistant.ask("Do deployers have to keep the logs of a high-risk AI system?").model_dump(
        mode="json"
    )
    assert set(payload) == {"question", "answer", "grounded", "citations", "knowledge_as_of"}
    assert payload["citations"] and all(c["source"] == c["id"].split(":")[0] for c in payload["citations"])


def test_same_ids_from_markdown_and_json(corpus_dir: Path) -> None:
    from knowledge.parsing import parse_file

    html = {s.citation_id for s in parse_file(EU_HTML).sections}
    markdown = {
        s.citation_id for s in parse_file(corpus_dir / "eu-ai-act" / "cartho" / "EU_AI_Act.md").sections
    }
    json_ids: set[str] = set()
    for name in ("ai-act-articles.json", "ai-act-recitals.json", "ai-act-annexes.json"):
        json_ids |= {
            s.citation_id
            for s in parse_file(corpus_dir / "eu-ai-act" / "csa" / name, source_id="eu-ai-act").sections
        }
    assert html == json_ids
    # The Markdown copy lost the body of Annex VI (a quirk of that file): that is the only difference.
    assert {i for i in html ^ markdown if not i.startswith("eu-ai-act:annex-vi-")} == set()


def test_a_scenario_gets_the_provisions_triage_cites_for_its_use_case(
    official: tuple[Assistant, float],
) -> None:
    from assistant.lead import prepare_answer
    from assistant.lead.conditioned import triage_articles
    from knowledge.retrieval import article_of

    assistant, _ = official
    question = (
        "We are a bank. We plan to use a vendor's model that scores loan applicants' creditworthiness; the "
        "vendor built it and we only run it. What do we have to do before we start using it and while it is "
        "in use?"
    )
    plain = {article_of(p.citation_id) for p in search(assistant.index, question, audience=Audience(), k=5)}
    prepared = prepare_answer(assistant.index, question, audience=Audience(), k=5)
    asked = {article_of(p.citation_id) for p in prepared.passages}
    # The deployer's impact assessment (Article 27), which the words alone do not rank, joins; everything
    # that joined is a provision the triage rules cite for creditworthiness scoring.
    assert "eu-ai-act:art-27" in asked - plain, (plain, asked)
    assert asked - plain <= triage_articles(question, ["creditworthiness"])
