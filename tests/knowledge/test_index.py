"""The index on real Chroma and real SQLite/PostgreSQL: idempotent ingest, atomic replacement, removal,
and access control."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.access import Audience, Visibility
from knowledge.factory import open_index
from knowledge.index import KnowledgeIndex
from knowledge.retrieval import SearchFilters, search
from tests.knowledge.documents import policy, regulation


@pytest.fixture
def index(make_settings, database_url: str) -> KnowledgeIndex:  # type: ignore[no-untyped-def]
    idx = open_index(make_settings(database_url=database_url))
    yield idx
    idx.db.close()


def test_ingest_is_idempotent_and_searchable(index: KnowledgeIndex) -> None:
    first = index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    again = index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    assert (first.status, again.status) == ("added", "unchanged")
    assert first.sections == 5
    vectors_before = index.vectors.count()
    index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    assert index.vectors.count() == vectors_before
    hits = search(index, "do chatbots have to disclose they are machines", audience=Audience())
    assert hits and hits[0].citation_id.startswith("demo-act:art-1")


def test_changed_document_replaces_old_chunks_atomically(index: KnowledgeIndex) -> None:
    index.ingest(regulation(variant="old"), key="demo/a", digest="d1", origin="file")
    seen_during_update: list[set[str]] = []
    real_add = index.vectors.add

    def add_and_search(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_add(*args, **kwargs)
        # New vectors are stored but not yet activated: a search now must see only the old version.
        hits = search(index, "fines banned practices emotion recognition", audience=Audience(), k=5)
        seen_during_update.append({h.text.rsplit("(", 1)[-1] for h in hits})

    index.vectors.add = add_and_search  # type: ignore[method-assign]
    outcome = index.ingest(regulation(variant="new"), key="demo/a", digest="d2", origin="file")
    index.vectors.add = real_add  # type: ignore[method-assign]

    assert outcome.status == "updated"
    assert seen_during_update and all(variants == {"old)"} for variants in seen_during_update)
    after = search(index, "fines banned practices emotion recognition", audience=Audience(), k=5)
    assert after and {h.text.rsplit("(", 1)[-1] for h in after} == {"new)"}
    # Old vectors are reclaimed: one generation's worth remains.
    assert index.vectors.count() == 5


def test_remove_source(index: KnowledgeIndex) -> None:
    index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    index.ingest(policy(), key="hr-secrets/x.md", digest="p1", origin="file")
    assert index.remove("demo-act") == ["demo/a"]
    assert [s.source_id for s in index.status()] == ["hr-secrets"]
    assert index.vectors.count() == 1
    assert index.remove("nothing-here") == []


def test_restricted_documents_reach_only_their_groups(index: KnowledgeIndex) -> None:
    index.ingest(
        policy(), key="hr/x", digest="p1", origin="file", visibility=Visibility.RESTRICTED, groups=["hr"]
    )
    index.ingest(regulation(), key="demo/a", digest="d1", origin="file", visibility=Visibility.PUBLIC)
    question = "salary bands for engineers"
    outsider = {h.source_id for h in search(index, question, audience=Audience(groups=frozenset({"sales"})))}
    member = {h.source_id for h in search(index, question, audience=Audience(groups=frozenset({"hr"})))}
    public_channel = {
        h.source_id
        for h in search(index, question, audience=Audience(groups=frozenset({"hr"}), public_only=True))
    }
    assert "hr-secrets" not in outsider
    assert "hr-secrets" in member
    assert public_channel <= {"demo-act"}


def test_internal_documents_stay_out_of_public_places(index: KnowledgeIndex) -> None:
    index.ingest(policy(), key="hr/x", digest="p1", origin="file", visibility=Visibility.INTERNAL)
    assert search(index, "salary bands", audience=Audience())
    assert not search(index, "salary bands", audience=Audience(public_only=True))


def test_filters_by_source_and_kind(index: KnowledgeIndex) -> None:
    index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    index.ingest(
        policy(text="Chatbots in our shop disclose themselves."), key="p/x", digest="p1", origin="file"
    )
    q = "chatbots disclose"
    assert {
        h.kind for h in search(index, q, audience=Audience(), filters=SearchFilters(kinds=["policy"]))
    } == {"policy"}
    only = search(index, q, audience=Audience(), filters=SearchFilters(sources=["demo-act"]))
    assert only and {h.source_id for h in only} == {"demo-act"}


def test_named_provision_is_found_and_parent_child_deduplicated(index: KnowledgeIndex) -> None:
    index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    hits = search(index, "What does Article 2(1)(a) say?", audience=Audience(), k=5)
    assert hits[0].citation_id == "demo-act:art-2-1-a"
    ids = [h.citation_id for h in hits]
    for a in ids:
        assert not any(b.startswith(a + "-") for b in ids), f"{a} shown with its own child"


def test_status_reports_documents(index: KnowledgeIndex) -> None:
    index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    [row] = index.status()
    assert (row.source_id, row.kind, row.sections, row.visibility) == (
        "demo-act",
        "regulation",
        5,
        "internal",
    )


def test_chroma_server_mode(make_settings, chroma_server) -> None:  # type: ignore[no-untyped-def]
    host, port = chroma_server
    idx = open_index(make_settings(chroma_host=host, chroma_port=port, collection="server-test"))
    assert type(idx.vectors.collection._client).__name__ != "PersistentClient"
    idx.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    assert idx.ingest(regulation(), key="demo/a", digest="d1", origin="file").status == "unchanged"
    idx.ingest(regulation(variant="new"), key="demo/a", digest="d2", origin="file")
    assert idx.vectors.count() == 5
    hits = search(idx, "What does Article 2(1)(a) say?", audience=Audience())
    assert hits[0].citation_id == "demo-act:art-2-1-a" and hits[0].text.endswith("(new)")
    assert not (make_settings().chroma_dir).exists()


def test_switching_embedder_on_an_index_is_a_clear_error(make_settings) -> None:  # type: ignore[no-untyped-def]
    from core.config import ConfigError

    open_index(make_settings(embedder="hashing")).db.close()
    with pytest.raises(ConfigError, match="built with the 'hashing' embedder"):
        open_index(make_settings(embedder="minilm"))


def test_a_collection_made_with_the_default_search_beam_gets_the_wide_one(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from knowledge.vectors import EF_SEARCH, VectorStore

    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    client.get_or_create_collection("older", embedding_function=None)
    store = VectorStore(client, "older")
    assert (store.collection.configuration_json or {})["hnsw"]["ef_search"] == EF_SEARCH
    reopened = client.get_collection("older", embedding_function=None)
    assert (reopened.configuration_json or {})["hnsw"]["ef_search"] == EF_SEARCH


def test_a_document_ingested_after_a_search_is_found_by_the_same_search(index: KnowledgeIndex) -> None:
    # The first search fills what searches keep (the vector snapshot and the rows its where passes, the
    # lexical index); the next one, after an ingest, must see the new document.
    index.ingest(regulation(), key="demo/a", digest="d1", origin="file")
    question = "are the salary bands of engineers confidential"
    before = search(index, question, audience=Audience(), k=5)
    assert before and not any(h.citation_id.startswith("hr-secrets:") for h in before)
    index.ingest(policy(), key="demo/p", digest="p1", origin="file")
    after = search(index, question, audience=Audience(), k=5)
    assert after[0].citation_id == "hr-secrets:salary-bands"
    index.remove("hr-secrets")
    again = search(index, question, audience=Audience(), k=5)
    assert not any(h.citation_id.startswith("hr-secrets:") for h in again)
